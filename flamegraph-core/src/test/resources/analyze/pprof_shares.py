#!/usr/bin/env python3
"""Independent check for the analyze tests: counts CPU shares straight from a pprof profile.proto.

It shares no code with the Java program. It decodes the (gzipped) protobuf by hand with the standard
library only, expands inlined frames the way pprof shows them (a location's lines run from the
innermost inlined function to its caller), and applies a rule file (JSON) with the semantics the
README documents:

  * a frame name first loses everything up to and including the last "/vendor/" (unless the rules
    say "stripVendor": false), then each of the rules' "rewrites" (regular expression, replacement)
    is applied in order;
  * a frame matching a "wrappers" prefix is no category's frame, and a sample's frames above it
    (towards the root) no longer count for that sample: the code below a wrapper is the rest of
    the handler chain, not the work of whoever called it;
  * otherwise the first category (in file order) with a matching name prefix classifies the frame;
  * exclusive: the sample goes to the category of its leaf-most classified frame (still counting);
  * inclusive: the sample counts once for every category among its still-counting frames.

Usage: pprof_shares.py PROFILE.pb RULES.json        -> JSON {"total", "samples", "categories": {...}}
       pprof_shares.py --folded PROFILE.pb          -> folded stacks weighted by the last sample value
"""
import gzip
import json
import re
import sys


def varint(buf, i):
    shift = 0
    result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) of one message; value is int or bytes."""
    i = 0
    n = len(buf)
    while i < n:
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v = int.from_bytes(buf[i:i + 8], "little")
            i += 8
        elif wt == 2:
            ln, i = varint(buf, i)
            v = buf[i:i + ln]
            i += ln
        elif wt == 5:
            v = int.from_bytes(buf[i:i + 4], "little")
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        yield num, wt, v


def ints(wt, v):
    """A repeated integer field: packed (bytes) or one value."""
    if wt != 2:
        return [v]
    out = []
    i = 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def signed(x):
    return x - (1 << 64) if x >= 1 << 63 else x


def load(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    strings, samples, locations, functions = [], [], {}, {}
    for num, wt, v in fields(data):
        if num == 6:
            strings.append(v.decode("utf-8", "replace"))
        elif num == 2:
            locs, vals = [], []
            for n2, w2, v2 in fields(v):
                if n2 == 1:
                    locs.extend(ints(w2, v2))
                elif n2 == 2:
                    vals.extend(signed(x) for x in ints(w2, v2))
            samples.append((locs, vals))
        elif num == 4:
            lid, lines = 0, []
            for n2, w2, v2 in fields(v):
                if n2 == 1:
                    lid = v2
                elif n2 == 4:
                    fid = 0
                    for n3, w3, v3 in fields(v2):
                        if n3 == 1:
                            fid = v3
                    lines.append(fid)
            locations[lid] = lines
        elif num == 5:
            fid, name = 0, 0
            for n2, w2, v2 in fields(v):
                if n2 == 1:
                    fid = v2
                elif n2 == 2:
                    name = v2
            functions[fid] = name
    stacks = []  # (frames root first, count, weight)
    for locs, vals in samples:
        frames = []
        for lid in reversed(locs):  # location_id[0] is the leaf
            for fid in reversed(locations[lid]):  # the last line is the caller
                frames.append(strings[functions[fid]])
        stacks.append((frames, vals[0], vals[-1]))
    return stacks


def strip_vendor(name):
    k = name.rfind("/vendor/")
    return name[k + len("/vendor/"):] if k >= 0 else name


def rewriter(rules):
    strip = rules.get("stripVendor", True)
    subs = [(re.compile(r["pattern"]), re.sub(r"\$(\d)", r"\\\1", r.get("replacement", "")))
            for r in rules.get("rewrites", [])]

    def name(f):
        if strip:
            f = strip_vendor(f)
        for pattern, replacement in subs:
            f = pattern.sub(replacement, f)
        return f
    return name


def shares(stacks, rules):
    normalize = rewriter(rules)
    wrappers = rules.get("wrappers", [])
    cats = [(c["name"], c["prefixes"]) for c in rules["categories"]]
    total = sum(w for _, _, w in stacks)
    samples = sum(c for _, c, _ in stacks)
    exc = {name: 0 for name, _ in cats}
    inc = {name: 0 for name, _ in cats}
    for frames, _, weight in stacks:
        seen = []
        for f in frames:
            f = normalize(f)
            if any(f.startswith(p) for p in wrappers):
                seen = []
                continue
            for name, prefixes in cats:
                if any(f.startswith(p) for p in prefixes):
                    seen.append(name)
                    break
        if seen:
            exc[seen[-1]] += weight
        for name in set(seen):
            inc[name] += weight
    return {
        "total": total,
        "samples": samples,
        "categories": {n: {"exclusive": exc[n] / total, "inclusive": inc[n] / total} for n, _ in cats},
    }


def main(argv):
    if argv[1] == "--folded":
        merged = {}
        for frames, _, weight in load(argv[2]):
            key = ";".join(frames)
            merged[key] = merged.get(key, 0) + weight
        for key in sorted(merged):
            print(key, merged[key])
        return
    rules = json.load(open(argv[2]))
    print(json.dumps(shares(load(argv[1]), rules), indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
