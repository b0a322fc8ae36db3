package io.github.stackfold.flamegraph.internal;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.parse.ByteView;
import io.github.stackfold.flamegraph.parse.PerfScriptParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stackcollapse-perf.pl state machine over a {@link PerfScriptParser}: an event line names the
 * process and weight of the sample, stack lines add frames (leaf first), an empty line folds the
 * sample. Quirks kept on purpose: frames of a sample whose empty line is missing stay and join the next
 * sample; stack lines after a dropped event are ignored; a sample left open at the end is dropped.
 *
 * <p>Frame names are computed once per distinct stack line text and interned to ints; stacks are
 * int sequences. One instance per thread; not thread-safe.
 */
public final class Folder {
    /** A line the parser could not classify, with its position relative to the parser's numbering. */
    public record BadLine(long line, long offset, String text) {
    }

    /** What one {@link #run} saw. */
    public static final class Report {
        public long lines;
        public long badLines;
        public boolean recognized;
        public final List<BadLine> bad = new ArrayList<>();
    }


    private final FrameNamer namer;
    private final boolean includePid;
    private final boolean includeTid;
    private final int maxBadLines;

    private byte[] filter;
    private boolean filterDefaulted;
    private final List<byte[]> droppedNames = new ArrayList<>();
    private long[] droppedCounts = new long[4];

    /** Frame groups of stack lines, by (java process, names depend on the address). */
    private final ByteTable[] frameTables = {new ByteTable(), new ByteTable(), new ByteTable(), new ByteTable()};
    private final ByteTable pnames = new ByteTable();
    /** Whole stack lines (leading blanks, address, symbol, module) to frame group; see knownStackLine. */
    private final ByteTable stackLines = new ByteTable();
    private final ByteTable javaStackLines = new ByteTable();
    /** Caps each whole-line table: lines are ~80 bytes, so ~400k distinct lines (distinct addresses). */
    private static final int MAX_STACK_LINE_BYTES = 32 << 20;
    private ByteView missed;
    private int missedHash;
    private int[] groups = new int[1024];
    private int groupsSize;
    private final HashMap<String, Integer> nameIds = new HashMap<>();
    private final ArrayList<String> names = new ArrayList<>();
    private final StackTable stacks = new StackTable();
    private byte[] key = new byte[256];

    // the open sample
    private int pname = -1;
    private boolean pnameJava;
    private long period;
    private int[] frames = new int[128];
    private int framesLen;
    private int[] lineStarts = new int[128];
    private int lineCount;
    private int[] stack = new int[128];

    private long samples;
    private long linesTotal;
    private long badTotal;

    /**
     * @param filter the event to keep (raw bytes), or {@code null} to keep the first event seen
     */
    public Folder(CollapseOptions options, byte[] filter, boolean filterDefaulted) {
        this.namer = new FrameNamer(options);
        this.includePid = options.pid();
        this.includeTid = options.tid();
        this.maxBadLines = options.maxBadLineReports();
        this.filter = filter;
        this.filterDefaulted = filterDefaulted;
    }

    /** The event kept, or {@code null} while no event line named one. */
    public byte[] filter() {
        return filter;
    }

    public boolean filterDefaulted() {
        return filterDefaulted;
    }

    /** Folds every line of {@code p}; a sample still open at its end is dropped. */
    public Report run(PerfScriptParser p) throws IOException {
        Report r = new Report();
        PerfScriptParser.Kind k;
        long lines = 0;
        while (p.nextLine()) {
            lines++;
            missed = null;
            if (pname >= 0 && knownStackLine(p.line())) {
                r.recognized = true;
                continue;
            }
            k = p.classify();
            switch (k) {
                case FRAME:
                    r.recognized = true;
                    if (pname >= 0) {
                        frame(p);
                    }
                    break;
                case END_OF_SAMPLE:
                    if (pname >= 0) {
                        endSample();
                    }
                    break;
                case EVENT:
                    r.recognized = true;
                    event(p);
                    break;
                case COMMENT:
                    break;
                default:
                    r.badLines++;
                    if (r.bad.size() < maxBadLines) {
                        r.bad.add(new BadLine(p.lineNumber(), p.lineOffset(), p.line().toString()));
                    }
                    break;
            }
        }
        r.lines = lines;
        linesTotal += lines;
        badTotal += r.badLines;
        resetSample();
        return r;
    }

    private void resetSample() {
        pname = -1;
        framesLen = 0;
        lineCount = 0;
    }

    private void event(PerfScriptParser p) {
        if (p.hasEvent()) {
            ByteView ev = p.event();
            if (filter == null) {
                filter = ev.toByteArray();
                filterDefaulted = true;
            } else if (!ev.contentEquals(filter)) {
                countDropped(ev);
                return;
            }
        }
        long w = 1;
        if (p.hasPeriod()) {
            ByteView d = p.period();
            if (!(d.length() == 1 && d.byteAt(0) == '0')) { // Perl: "0" is false, so 1; "00" is 0
                w = parseDigits(d);
            }
        }
        period = w;
        processName(p);
    }

    private static long parseDigits(ByteView d) {
        long v = 0;
        for (int i = 0; i < d.length(); i++) {
            int digit = d.byteAt(i) - '0';
            if (v > (Long.MAX_VALUE - digit) / 10) {
                return Long.MAX_VALUE;
            }
            v = v * 10 + digit;
        }
        return v;
    }

    private void countDropped(ByteView ev) {
        for (int i = 0; i < droppedNames.size(); i++) {
            if (ev.contentEquals(droppedNames.get(i))) {
                droppedCounts[i]++;
                return;
            }
        }
        if (droppedNames.size() == droppedCounts.length) {
            droppedCounts = Arrays.copyOf(droppedCounts, droppedCounts.length * 2);
        }
        droppedCounts[droppedNames.size()] = 1;
        droppedNames.add(ev.toByteArray());
    }

    /** comm, comm-PID or comm-PID/TID with spaces as '_' (PID is '?' when perf printed only one id). */
    private void processName(PerfScriptParser p) {
        ByteView comm = p.comm();
        ByteView first = p.pid();
        boolean hasTid = p.hasTid() && !(p.tid().length() == 1 && p.tid().byteAt(0) == '0');
        int len = 0;
        key = ensure(key, comm.length() + first.length() + p.tid().length() + 4);
        System.arraycopy(comm.array(), comm.offset(), key, len, comm.length());
        len += comm.length();
        if (includeTid || includePid) {
            key[len++] = '-';
            if (hasTid) {
                len = append(key, len, first);
            } else {
                key[len++] = '?';
            }
            if (includeTid) {
                key[len++] = '/';
                len = append(key, len, hasTid ? p.tid() : first);
            }
        }
        for (int i = 0; i < len; i++) {
            if (key[i] == ' ') {
                key[i] = '_';
            }
        }
        int h = ByteTable.hash(key, 0, len);
        int v = pnames.get(key, 0, len, h);
        if (v < 0) {
            String name = new String(key, 0, len, StandardCharsets.ISO_8859_1);
            v = intern(name) << 1 | (name.startsWith("java") ? 1 : 0);
            pnames.put(key, 0, len, h, v);
        }
        pname = v >>> 1;
        pnameJava = (v & 1) != 0;
    }

    private static int append(byte[] dst, int at, ByteView v) {
        System.arraycopy(v.array(), v.offset(), dst, at, v.length());
        return at + v.length();
    }

    private static byte[] ensure(byte[] b, int n) {
        return b.length >= n ? b : new byte[Math.max(n, b.length * 2)];
    }

    private int intern(String name) {
        Integer id = nameIds.get(name);
        if (id == null) {
            id = names.size();
            names.add(name);
            nameIds.put(name, id);
        }
        return id;
    }

    private void frame(PerfScriptParser p) {
        ByteView sym = p.symbol();
        ByteView mod = p.module();
        ByteView addr = p.address();
        boolean withAddress = namer.needsAddress() && containsUnknown(sym);
        // The key is the line from the symbol (or the address, when the names depend on it) up to the
        // module's ')': the parser's rules find the same symbol and module in it again, so equal keys
        // mean equal names, and nothing is copied.
        byte[] b = sym.array();
        int from = withAddress ? addr.offset() : sym.offset();
        int len = mod.offset() + mod.length() + 1 - from;
        ByteTable table = frameTables[(pnameJava ? 1 : 0) | (withAddress ? 2 : 0)];
        int h = ByteTable.hash(b, from, len);
        int g = table.get(b, from, len, h);
        if (g < 0) {
            List<String> fs = namer.names(addr.toString(), sym.toString(), mod.toString(), pnameJava);
            g = groupsSize;
            groups = ensure(groups, groupsSize + 1 + fs.size());
            groups[groupsSize++] = fs.size();
            for (String f : fs) {
                groups[groupsSize++] = intern(f);
            }
            table.put(b, from, len, h, g);
        }
        remember(g);
        pushGroup(g);
    }

    /**
     * The fast path for stack lines: a line seen before (the same bytes, in a process of the same
     * java-ness) means the same frames, so its frame group is pushed without classifying, slicing or
     * naming the line again. Only lines starting with a blank are looked up: event lines never do
     * (and are unique anyway), and such a line is either a stack line or unrecognized.
     */
    private boolean knownStackLine(ByteView line) {
        int len = line.length();
        byte[] b = line.array();
        int off = line.offset();
        if (len == 0 || (b[off] != ' ' && b[off] != '\t')) {
            return false;
        }
        int h = len < 24 ? ByteTable.hash(b, off, len) : ByteTable.sketch(b, off, len);
        int g = (pnameJava ? javaStackLines : stackLines).get(b, off, len, h);
        if (g < 0) {
            missed = line;
            missedHash = h;
            return false;
        }
        pushGroup(g);
        return true;
    }

    /** Remembers the frame group of the stack line {@link #knownStackLine} just missed (memory capped). */
    private void remember(int g) {
        ByteView line = missed;
        if (line == null) {
            return;
        }
        missed = null;
        ByteTable table = pnameJava ? javaStackLines : stackLines;
        if (table.bytes() < MAX_STACK_LINE_BYTES) {
            table.put(line.array(), line.offset(), line.length(), missedHash, g);
        }
    }

    private void pushGroup(int g) {
        int count = groups[g];
        if (lineCount == lineStarts.length) {
            lineStarts = Arrays.copyOf(lineStarts, lineCount * 2);
        }
        lineStarts[lineCount++] = framesLen;
        int[] f = ensure(frames, framesLen + count);
        frames = f;
        if (count == 1) {
            f[framesLen] = groups[g + 1]; // the common case: no inlined frames, no arraycopy call
        } else {
            System.arraycopy(groups, g + 1, f, framesLen, count);
        }
        framesLen += count;
    }

    private static int[] ensure(int[] a, int n) {
        return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    private static boolean containsUnknown(ByteView v) {
        byte[] b = v.array();
        int end = v.offset() + v.length() - 8;
        for (int i = v.offset(); i < end; i++) {
            if (b[i] == '[' && b[i + 1] == 'u' && b[i + 8] == ']') {
                return true;
            }
        }
        return false;
    }

    /** Folds the open sample: process name, then each line's frames, the last line printed first. */
    private void endSample() {
        stack = ensure(stack, framesLen + 1);
        int n = 0;
        stack[n++] = pname;
        int end = framesLen;
        for (int l = lineCount - 1; l >= 0; l--) {
            int start = lineStarts[l];
            System.arraycopy(frames, start, stack, n, end - start);
            n += end - start;
            end = start;
        }
        stacks.add(stack, n, period);
        samples++;
        resetSample();
    }

    /** Adds every folded stack to {@code out}. */
    public void emit(FoldedProfile.Builder out) {
        StringBuilder sb = new StringBuilder(256);
        stacks.forEach((arena, off, len, weight) -> {
            sb.setLength(0);
            for (int i = 0; i < len; i++) {
                if (i > 0) {
                    sb.append(';');
                }
                sb.append(names.get(arena[off + i]));
            }
            out.add(sb.toString(), weight);
        });
    }

    public long samples() {
        return samples;
    }

    public long lines() {
        return linesTotal;
    }

    public long badLines() {
        return badTotal;
    }

    /** Adds this folder's dropped-event counts to {@code into} (raw event name to samples). */
    public void droppedInto(Map<String, Long> into) {
        for (int i = 0; i < droppedNames.size(); i++) {
            into.merge(new String(droppedNames.get(i), StandardCharsets.ISO_8859_1), droppedCounts[i], Long::sum);
        }
    }
}
