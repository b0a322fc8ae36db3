package io.github.stackfold.flamegraph.internal;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * stackcollapse-perf.pl's {@code --inline}: the functions inlined at an address of a module, from
 * {@code addr2line}, with {@code nm} as a fallback. For the stack line
 * {@code 12a4 hash_block+0x44 (/tmp/collapse-inl/inl)} of the test recording:
 *
 * <pre>
 * $ addr2line -a 12a4 -e /tmp/collapse-inl/inl -i -f -s -C   (perf printed a module-relative address)
 * 0x00000000000012a4
 * ??
 * ??:0
 * $ nm /tmp/collapse-inl/inl | grep ' hash_block$'
 * 0000000000401260 T hash_block
 * $ addr2line -a 0x4012a4 -e /tmp/collapse-inl/inl -i -f -s -C
 * 0x00000000004012a4
 * mix
 * inl.c:10
 * step
 * inl.c:17
 * hash_block
 * inl.c:23
 * </pre>
 *
 * gives {@code hash_block;step;mix} ({@code hash_block:inl.c:23;step:inl.c:17;mix:inl.c:10} with
 * context). The tools are run with the module path as perf printed it (the script hands it to a shell:
 * the same for paths without blanks or shell characters). Their error output is discarded; a tool that
 * is missing or fails gives no output, and then the frame is not expanded. One instance per folder; not
 * thread-safe. Strings are raw (one char per byte).
 */
public final class InlineExpander {
    /** Modules never expanded: the kernel, {@code [module]}s and JIT maps (the script's expression). */
    private static final Pattern NOT_EXPANDED = Pattern.compile("perf-\\d+.map|kernel\\.|\\[[^\\]]+\\]", Pattern.DOTALL);
    private static final Pattern FUNC_OFFSET = Pattern.compile("^(.+)\\+0x([0-9a-f]+)$", Pattern.DOTALL);

    private final boolean context;
    private final Map<String, String> cache = new HashMap<>();
    private final Map<String, String> nm = new HashMap<>();

    public InlineExpander(boolean context) {
        this.context = context;
    }

    /**
     * The frames inlined at {@code pc} in {@code module}, outermost first, joined by {@code ;}; or null
     * when the line is to be named as usual (a module that is never expanded, or addr2line found
     * nothing: no output, {@code ??} or {@code ??:??:0}).
     */
    public String expand(String pc, String symbol, String module) {
        if (NOT_EXPANDED.matcher(module).find()) {
            return null;
        }
        String r = inline(pc, symbol, module);
        return r.isEmpty() || r.equals("??") || r.equals("??:??:0") ? null : r;
    }

    private String inline(String pc, String rawfunc, String mod) {
        String key = pc + '\n' + mod;
        String cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        String out = run("addr2line", "-a", pc, "-e", mod, "-i", "-f", "-s", "-C");
        int nl = out.indexOf('\n');
        out = nl < 0 ? out : out.substring(nl + 1); // the address line
        if (out.contains("??\n??:0")) {
            Matcher m = FUNC_OFFSET.matcher(rawfunc);
            if (m.find()) {
                String func = m.group(1);
                long addr = parseHex(m.group(2));
                String symbols = nm.get(mod);
                if (symbols == null) {
                    symbols = run("nm", mod);
                    nm.put(mod, symbols);
                }
                Matcher s = Pattern.compile("^([0-9a-f]+) [^\\n] " + Pattern.quote(func) + "$",
                        Pattern.MULTILINE | Pattern.UNIX_LINES).matcher(symbols);
                if (addr >= 0 && s.find()) {
                    long base = parseHex(s.group(1));
                    if (base >= 0) {
                        String result = inline("0x" + Long.toHexString(base + addr), "", mod);
                        cache.put(key, result);
                        return result;
                    }
                }
            }
        }
        List<String> frames = new ArrayList<>();
        String item = "";
        for (String line : lines(out)) {
            line = line.replaceFirst(" \\(discriminator \\S+\\)", ""); // the first only, as s/// without g
            if (item.isEmpty()) {
                item = line;
            } else {
                frames.add(0, context ? item + ":" + line : item);
                item = "";
            }
        }
        String result = String.join(";", frames);
        cache.put(key, result);
        return result;
    }

    /** Perl's {@code split /^/} then {@code chomp}: the lines, a final one without newline included. */
    private static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        int p = 0;
        while (p < s.length()) {
            int nl = s.indexOf('\n', p);
            if (nl < 0) {
                out.add(s.substring(p));
                break;
            }
            out.add(s.substring(p, nl));
            p = nl + 1;
        }
        return out;
    }

    /** Perl's {@code hex} of a lower-case hex string, or -1 when it does not fit 64 bits. */
    private static long parseHex(String h) {
        try {
            return Long.parseUnsignedLong(h, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A tool's standard output as raw text; "" when it cannot be run, fails to finish within a minute
     * or the thread is interrupted (the interrupt stays set). Its errors are discarded.
     */
    private static String run(String... rawArgs) {
        List<String> args = new ArrayList<>();
        for (String a : rawArgs) {
            args.add(FoldedProfile.decode(a)); // raw bytes to the text a file name is given as
        }
        Process p;
        try {
            p = new ProcessBuilder(args).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return "";
        }
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                return "";
            }
            return new String(out, StandardCharsets.ISO_8859_1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (IOException e) {
            return "";
        } finally {
            p.destroyForcibly();
        }
    }
}
