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
 * int sequences. Four paths fold a line: {@link #scanKnown} (empty lines and stack lines seen
 * before, found by their first bytes), the {@link SampleCache} it asks at a sample's first line
 * (whole samples seen before), {@link #knownEvent} (event lines whose head and tail were seen
 * before), and the parser for everything else, which also teaches the others. One instance per
 * thread; not thread-safe.
 *
 * <p>With {@link CollapseOptions#srcline()} or {@link CollapseOptions#inline()} every line takes the
 * parser's path instead ({@link #foldLineByLine}): a stack line may own the lines after it (its
 * source lines), and its frames may come from addr2line, so neither whole lines nor whole samples can
 * be reused by their bytes. The fast paths are not touched by these options.
 */
public final class Folder {
    /** A line the parser could not classify, with its position relative to the parser's numbering. */
    public record BadLine(long line, long offset, String text) {
    }

    /** What the {@link #fold} calls of one input or piece saw, up to its {@link #endPiece}. */
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
    /** srcline or inline: every line through {@link #foldLineByLine}. */
    private final boolean lineByLine;
    private final boolean srcline;
    private final InlineExpander inliner;
    /** A stack line whose source lines are still to come (srcline), the source lines read so far. */
    private FrameNamer.Parts pendingParts;
    private String[] pendingSources;
    private int pendingRead;
    /** Frame groups of the line-by-line path, by their names joined with newlines. */
    private final HashMap<String, Integer> groupsByNames = new HashMap<>();

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
    /** Whole samples by the prefix hash of their first line, for the lines of stackLines and of javaStackLines. */
    private final SampleCache samplesByLine = new SampleCache();
    private final SampleCache javaSamples = new SampleCache();
    /** Caps each whole-line table: lines are ~80 bytes, so ~400k distinct lines (distinct addresses). */
    private static final int MAX_STACK_LINE_BYTES = 32 << 20;
    /** The stack line the fast path just missed (b[missedFrom, +missedLen)), or missedLen -1. */
    private int missedFrom;
    private int missedLen = -1;
    private int missedHash;
    /** Set by {@link #scanKnown}: lines it folded, the end of the line it stopped at, stack lines it knew. */
    private int scanned;
    private int stopEnd;
    /** Set when scanKnown stopped at an event line {@link #knownEvent} refused: fold need not ask again. */
    private boolean refusedEvent;
    private long known;
    private final PerfScriptParser parser = PerfScriptParser.of(new byte[0], 0, 0, "-", 1, 0);
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
    /** The frame group of each stack line of the open sample, leaf first; framesLen frames in all. */
    private int[] lineGroups = new int[128];
    private int lineCount;
    private int framesLen;
    private int[] stack = new int[128];

    private long samples;
    /** The periods of the samples folded, whatever the weights are. */
    private long periodSum;
    /** Weigh each sample 1 instead of its period ({@link CollapseOptions#countSamples()}). */
    private final boolean countSamples;
    private long linesTotal;
    private long badTotal;

    /**
     * @param filter the event to keep (raw bytes), or {@code null} to keep the first event seen
     */
    public Folder(CollapseOptions options, byte[] filter, boolean filterDefaulted) {
        this.namer = new FrameNamer(options);
        this.includePid = options.pid();
        this.includeTid = options.tid();
        this.countSamples = options.countSamples();
        this.maxBadLines = options.maxBadLineReports();
        this.srcline = options.srcline();
        this.inliner = options.inline() ? new InlineExpander(options.context()) : null;
        this.lineByLine = srcline || inliner != null;
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

    /**
     * Folds the lines of {@code b[from, to)}: each ends with {@code \n} except perhaps the last (the
     * end of an input). Its first line is line {@code firstLine} of the input and starts at byte
     * {@code firstOffset}. Samples may continue from the previous call; call {@link #endPiece} at the
     * end of an input or of a piece cut at an empty line.
     *
     * <p>Called once per read buffer; the lines go to {@link #scanKnown} until it stops at one it does
     * not know, which goes to the parser (a single loop over the whole input, with everything
     * inlined, was compiled late, on-stack, and less well).
     */
    public void fold(byte[] b, int from, int to, long firstLine, long firstOffset, Report r) {
        if (lineByLine) {
            foldLineByLine(b, from, to, firstLine, firstOffset, r);
            return;
        }
        int p = from;
        long line = firstLine;
        long knownBefore = known;
        while (p < to) {
            p = scanKnown(b, p, to);
            line += scanned;
            if (p >= to) {
                break;
            }
            if (stopEnd < 0) {
                continue; // paused at an event line
            }
            if (refusedEvent || !knownEvent(b, p, stopEnd)) {
                slowLine(b, p, stopEnd - p, line, firstOffset + (p - from), r);
            }
            line++;
            p = stopEnd + 1;
        }
        r.lines += line - firstLine;
        if (known > knownBefore) {
            r.recognized = true;
        }
    }

    /**
     * The fast path of {@link #fold}: folds lines from {@code p} while they are empty lines, stack
     * lines seen before (the same bytes mean the same frames) or event lines {@link #knownEvent}
     * knows, and stops at the first other line, returning its start ({@link #stopEnd} is its end) or
     * {@code to}; or it pauses at an event line ({@link #EVENTS_PER_CALL}; stopEnd is -1).
     * {@link #scanned} is the number of lines folded.
     *
     * <p>At the first line of a sample it asks the {@link SampleCache} for the whole sample: perf
     * prints the same lines under the same leaf again and again (the 39 MB JVM recording of the
     * benchmarks has 39,915 samples with 4,978 distinct sets of stack lines), and one comparison of all
     * its lines then replaces a lookup per line and the stack's hashing. The key is the hash of the
     * first line's start, which the line's own lookup needs anyway, so a sample found there looks up
     * no line at all. A sample whose lines this call folded all by this path is kept there when it ends.
     *
     * <p>A known line is found from its first {@value #PREFIX} bytes (indentation, address, the start of
     * the symbol: they nearly always tell lines apart) without looking for its end first: the table
     * gives the candidates and their lengths, and a candidate matches when its bytes equal the input's
     * and a {@code \n} (or the end of the input) follows. So each byte of a known line is read about
     * once. Lines shorter than the prefix are never remembered and always take the slow path.
     *
     * <p>A method of its own, and small: it is the hot path in every JIT tier. Everything else (new
     * event and stack lines) goes through the parser in {@link #slowLine};
     * inlined into one loop with this, the whole was a 9 KB compile that took C2 over a second (JFR
     * {@code jdk.Compilation}).
     */
    private int scanKnown(byte[] b, int p, int to) {
        int lines = 0;
        int hits = 0;
        // the open sample, when this call folded all its lines so far: its key in the cache (its first
        // line's prefix hash, never negative), where its stack lines start and how many there are;
        // first is -1 otherwise
        int first = -1;
        int sampleFrom = 0;
        int sampleLines = 0;
        int events = EVENTS_PER_CALL;
        while (p < to) {
            byte c = b[p];
            if (c == '\n') { // an empty line ends the sample
                if (pname >= 0) {
                    int pn = pname;
                    SampleCache cache = pnameJava ? javaSamples : samplesByLine;
                    int stack = endSample();
                    if (first >= 0) {
                        cache.remember(first, pn, b, sampleFrom, p, sampleLines, stack);
                    }
                }
                first = -1;
                lines++;
                p++;
                continue;
            }
            if (c != ' ' && c != '\t') { // an event line, perhaps one seen before
                if (--events == 0) { // a pause: fold calls again, compiled code by now perhaps
                    stopEnd = -1;
                    break;
                }
                stop(b, p, to);
                if (!knownEvent(b, p, stopEnd)) {
                    refusedEvent = true;
                    break;
                }
                first = -1;
                lines++;
                p = stopEnd + 1;
                continue;
            }
            if (pname < 0 || p + PREFIX > to) {
                stop(b, p, to);
                break;
            }
            int hash = prefixHash(b, p);
            if (lineCount == 0) { // the sample's first line: perhaps a whole sample seen before
                int key = hash & Integer.MAX_VALUE;
                SampleCache cache = pnameJava ? javaSamples : samplesByLine;
                int stack = cache.find(key, pname, b, p, to);
                if (stack >= 0) {
                    stacks.addWeight(stack, countSamples ? 1 : period);
                    periodSum += period;
                    samples++;
                    resetSample();
                    hits += cache.foundLines;
                    lines += 1 + cache.foundLines; // its stack lines and the empty line
                    p += cache.foundLength + 1;
                    continue;
                }
                first = key; // kept if this call folds all its lines (a miss below breaks out)
                sampleFrom = p;
                sampleLines = 0;
            }
            ByteTable table = pnameJava ? javaStackLines : stackLines;
            int e = table.lineEntry(b, p, to, hash);
            if (e < 0) {
                stop(b, p, to);
                missedFrom = p;
                missedLen = stopEnd - p;
                missedHash = hash;
                break;
            }
            pushGroup(table.value(e));
            sampleLines++;
            hits++;
            lines++;
            p += table.keyLength(e) + 1;
        }
        scanned = lines;
        known += hits;
        return Math.min(p, to);
    }

    /**
     * {@link #fold} with source lines or addr2line: each line goes to the parser, except the lines a
     * stack line owns as its source lines ({@link #source}).
     */
    private void foldLineByLine(byte[] b, int from, int to, long firstLine, long firstOffset, Report r) {
        int p = from;
        long line = firstLine;
        while (p < to) {
            int nl = Bytes.indexOfNewline(b, p, to);
            int end = nl < 0 ? to : nl;
            if (pendingParts != null) {
                source(new String(b, p, end - p, StandardCharsets.ISO_8859_1));
            } else if (end == p) { // an empty line ends the sample
                if (pname >= 0) {
                    endSample();
                }
            } else {
                slowLine(b, p, end - p, line, firstOffset + (p - from), r);
            }
            line++;
            p = end + 1;
        }
        r.lines += line - firstLine;
    }

    /**
     * A stack line on the line-by-line path: expanded by addr2line (inline), or named, then waiting
     * for its source lines (srcline) or added to the sample.
     */
    private void frameLineByLine(PerfScriptParser p) {
        String addr = p.address().toString();
        String sym = p.symbol().toString();
        String mod = p.module().toString();
        if (inliner != null) {
            String expanded = inliner.expand(addr, sym, mod);
            if (expanded != null) {
                pushGroup(group(List.of(expanded.split(";", -1))));
                return;
            }
        }
        FrameNamer.Parts parts = namer.parts(addr, sym, mod, pnameJava);
        if (srcline && parts.srclineParts() > 0) {
            pendingParts = parts;
            pendingSources = new String[parts.srclineParts()];
            pendingRead = 0;
            return;
        }
        pushGroup(group(withSources(parts, null)));
    }

    /**
     * A source line of the pending stack line, whatever it holds (stackcollapse-perf.pl reads the next
     * line): {@code [...]} removed and blanks trimmed, it is appended to its frame as {@code :text}
     * unless nothing is left.
     */
    private void source(String line) {
        pendingSources[pendingRead++] = line;
        if (pendingRead == pendingSources.length) {
            FrameNamer.Parts parts = pendingParts;
            pendingParts = null;
            pushGroup(group(withSources(parts, pendingSources)));
        }
    }

    /** The names of the parts, the first of each part with its source appended (sources may be null). */
    private static List<String> withSources(FrameNamer.Parts parts, String[] sources) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.names().size(); i++) {
            List<String> names = parts.names().get(i);
            String where = sources != null && i < sources.length ? sourceText(sources[i]) : "";
            for (int j = 0; j < names.size(); j++) {
                out.add(j == 0 && !where.isEmpty() ? names.get(j) + ":" + where : names.get(j));
            }
        }
        return out;
    }

    /** A source line with every {@code [...]} removed (shortest first) and blanks trimmed at both ends, as the script does. */
    static String sourceText(String line) {
        String s = line.indexOf('[') < 0 ? line : BRACKETS.matcher(line).replaceAll("");
        int a = 0;
        int e = s.length();
        while (a < e && isPerlSpace(s.charAt(a))) {
            a++;
        }
        while (e > a && isPerlSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(a, e);
    }

    private static final java.util.regex.Pattern BRACKETS = java.util.regex.Pattern.compile("\\[[^\n]*?\\]");

    private static boolean isPerlSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /** The frame group of these names (made once per distinct list). */
    private int group(List<String> names) {
        String key = String.join("\n", names);
        Integer g = groupsByNames.get(key);
        if (g == null) {
            g = addGroup(names);
            groupsByNames.put(key, g);
        }
        return g;
    }

    /** Appends a frame group: its size, then the id of each name. Returns where it starts. */
    private int addGroup(List<String> names) {
        int g = groupsSize;
        groups = ensure(groups, groupsSize + 1 + names.size());
        groups[groupsSize++] = names.size();
        for (String f : names) {
            groups[groupsSize++] = intern(f);
        }
        return g;
    }

    /**
     * Event lines {@link #scanKnown} passes before it returns to {@link #fold}, which calls it again.
     * A call that the interpreter began runs interpreted to its end (or to an on-stack replacement,
     * some 60,000 loop turns later), and since scanKnown also folds known event lines, one call can
     * otherwise last a whole piece of a megabyte: the pause lets compiled code take over within 64
     * samples.
     */
    private static final int EVENTS_PER_CALL = 64;

    /** scanKnown stops at the line starting at {@code p}: finds its end; nothing to remember yet. */
    private void stop(byte[] b, int p, int to) {
        int nl = Bytes.indexOfNewline(b, p, to);
        stopEnd = nl < 0 ? to : nl;
        missedLen = -1;
        refusedEvent = false;
    }

    /** Bytes of a stack line's start that find it in the stack-line tables. */
    private static final int PREFIX = 24;

    private static int prefixHash(byte[] b, int p) {
        long h = (long) Bytes.LONGS.get(b, p) * 0x9e3779b97f4a7c15L;
        h ^= Long.rotateLeft((long) Bytes.LONGS.get(b, p + 8) * 0xc2b2ae3d27d4eb4fL, 21);
        h ^= Long.rotateLeft((long) Bytes.LONGS.get(b, p + 16) * 0x165667b19e3779f9L, 42);
        return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }


    /** Ends an input or a piece: a sample still open is dropped; the report's counts join the totals. */
    public void endPiece(Report r) {
        linesTotal += r.lines;
        badTotal += r.badLines;
        pendingParts = null; // source lines cut off by the end: none appended, and the sample is dropped
        resetSample();
    }

    /** A line the fast path of {@link #fold} did not know: classified by the parser. */
    private void slowLine(byte[] b, int from, int len, long lineNumber, long offset, Report r) {
        PerfScriptParser p = parser.reset(b, from, len, lineNumber, offset);
        PerfScriptParser.Kind k;
        try {
            k = p.next();
        } catch (IOException e) {
            throw new AssertionError("a parser over bytes does not read", e);
        }
        switch (k) {
            case FRAME:
                r.recognized = true;
                if (pname >= 0) {
                    if (lineByLine) {
                        frameLineByLine(p);
                    } else {
                        frame(p, b);
                    }
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
        missedLen = -1; // remembered by frame(), or not a stack line
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
                int d = droppedIndex(ev);
                droppedCounts[d]++;
                rememberEvent(p, d);
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
        rememberEvent(p, -1);
    }

    /** Long.MAX_VALUE / 10 (its last digit is 7): a constant, as a long division is a runtime call in C1. */
    private static final long OVERFLOWS_AT = Long.MAX_VALUE / 10;

    private static long parseDigits(ByteView d) {
        long v = 0;
        byte[] b = d.array();
        for (int i = d.offset(), end = d.offset() + d.length(); i < end; i++) {
            int digit = b[i] - '0';
            if (v >= OVERFLOWS_AT && (v > OVERFLOWS_AT || digit > 7)) { // v * 10 + digit > Long.MAX_VALUE
                return Long.MAX_VALUE;
            }
            v = v * 10 + digit;
        }
        return v;
    }

    /** The index of a dropped event's name in droppedNames (added with a zero count when new). */
    private int droppedIndex(ByteView ev) {
        for (int i = 0; i < droppedNames.size(); i++) {
            if (ev.contentEquals(droppedNames.get(i))) {
                return i;
            }
        }
        if (droppedNames.size() == droppedCounts.length) {
            droppedCounts = Arrays.copyOf(droppedCounts, droppedCounts.length * 2);
        }
        droppedCounts[droppedNames.size()] = 0;
        droppedNames.add(ev.toByteArray());
        return droppedNames.size() - 1;
    }

    // ---------------------------------------------------------------------------------------------
    // event lines seen before: perf prints the same head (command, ids) and tail (': period event:')
    // around a new timestamp for every sample of a thread. What the parser makes of an event line
    // depends on those two parts only (see PerfScriptParser#eventHeadEnd and #eventTailStart), so an
    // event line with a known head and the tail last seen with it is not parsed again.

    /** Heads (bytes up to and including the blank after the ids) to indexes in {@link #events}. */
    private final ByteTable eventHeads = new ByteTable();
    private final List<KnownEvent> events = new ArrayList<>();

    /**
     * What an event line with this tail (after its head) means: the index of a dropped event's name,
     * or -1 for a kept event with this process name and period.
     */
    private record KnownEvent(byte[] tail, int dropped, int pname, boolean java, long period) {
    }

    /** The head of the line knownEvent just missed: its end and hash (-1: none). */
    private int pendingHeadEnd = -1;
    private int pendingHeadHash;
    private int pendingEntry = -1;

    /** Folds an event line whose head and tail were seen together before; false when it is not one. */
    private boolean knownEvent(byte[] b, int s, int e) {
        pendingHeadEnd = -1;
        if (filter == null) {
            return false; // the first event sets the filter: let the parser see it
        }
        int he = PerfScriptParser.eventHeadEnd(b, s, e);
        if (he < 0) {
            return false;
        }
        int hash = ByteTable.hash(b, s, he - s);
        int entry = eventHeads.get(b, s, he - s, hash);
        pendingHeadEnd = he;
        pendingHeadHash = hash;
        pendingEntry = entry;
        if (entry < 0) {
            return false;
        }
        KnownEvent k = events.get(entry);
        int tl = k.tail.length;
        if (e - tl < he || !Arrays.equals(k.tail, 0, tl, b, e - tl, e)) {
            return false;
        }
        if (k.dropped >= 0) {
            droppedCounts[k.dropped]++;
        } else {
            period = k.period;
            pname = k.pname;
            pnameJava = k.java;
        }
        known++;
        pendingHeadEnd = -1;
        return true;
    }

    /** After the parser folded an event line knownEvent missed: remembers its head and tail. */
    private void rememberEvent(PerfScriptParser p, int dropped) {
        int he = pendingHeadEnd;
        pendingHeadEnd = -1;
        if (he < 0) {
            return;
        }
        ByteView line = p.line();
        int ts = p.eventTailStart();
        if (ts < he || line.offset() + line.length() - ts > 256) {
            return; // no period and event, or a tail that overlaps the head (or is odd): not remembered
        }
        KnownEvent k = new KnownEvent(Arrays.copyOfRange(line.array(), ts, line.offset() + line.length()), dropped,
                pname, pnameJava, period);
        if (pendingEntry >= 0) {
            events.set(pendingEntry, k); // the same head with another tail: the newest is kept
        } else if (events.size() < 1 << 16) { // enough: a recording of more threads still folds, a bit slower
            eventHeads.put(line.array(), line.offset(), he - line.offset(), pendingHeadHash, events.size());
            events.add(k);
        }
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
        return nameIds.computeIfAbsent(name, n -> {
            names.add(n);
            return names.size() - 1;
        });
    }

    private void frame(PerfScriptParser p, byte[] line) {
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
            g = addGroup(namer.names(addr.toString(), sym.toString(), mod.toString(), pnameJava));
            table.put(b, from, len, h, g);
        }
        remember(line, g);
        pushGroup(g);
    }

    /** Remembers the frame group of the stack line {@link #fold} just missed (memory capped). */
    private void remember(byte[] b, int g) {
        if (missedLen < 0) {
            return;
        }
        ByteTable table = pnameJava ? javaStackLines : stackLines;
        if (missedLen >= PREFIX && table.bytes() < MAX_STACK_LINE_BYTES) {
            table.put(b, missedFrom, missedLen, missedHash, g);
        }
        missedLen = -1;
    }

    private void pushGroup(int g) {
        if (lineCount == lineGroups.length) {
            lineGroups = Arrays.copyOf(lineGroups, lineCount * 2);
        }
        lineGroups[lineCount++] = g;
        framesLen += groups[g];
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

    /**
     * Folds the open sample: process name, then each line's frames, the last line printed first.
     * Returns the stack's index in {@link #stacks}.
     */
    private int endSample() {
        int[] st = ensure(stack, framesLen + 1);
        stack = st;
        int n = 0;
        st[n++] = pname;
        int[] gs = groups;
        for (int l = lineCount - 1; l >= 0; l--) {
            int g = lineGroups[l];
            int count = gs[g];
            if (count == 1) {
                st[n++] = gs[g + 1]; // the common case: no inlined frames, no arraycopy call
            } else {
                System.arraycopy(gs, g + 1, st, n, count);
                n += count;
            }
        }
        int stack = stacks.add(st, n, countSamples ? 1 : period);
        periodSum += period;
        samples++;
        resetSample();
        return stack;
    }

    /**
     * Adds the stacks {@code other} folded to this folder's table (the weights of equal stacks add
     * up), translating its frame ids into this folder's. The threads of a parallel collapse mostly
     * fold the same stacks: merged here, as ints, each distinct stack is turned into bytes and
     * sorted once in {@link #emit}, not once per thread. Only the stacks move; counts such as
     * {@link #lines()} stay with {@code other}.
     */
    public void mergeStacksFrom(Folder other) {
        int[] map = new int[other.names.size()];
        for (int id = 0; id < map.length; id++) {
            map[id] = intern(other.names.get(id));
        }
        other.stacks.forEach(new StackTable.Visitor() {
            private int[] ids = new int[64];

            @Override
            public void visit(int[] arena, int off, int len, long weight) {
                if (ids.length < len) {
                    ids = new int[Math.max(len, ids.length * 2)];
                }
                for (int i = 0; i < len; i++) {
                    ids[i] = map[arena[off + i]];
                }
                stacks.add(ids, len, weight);
            }
        });
    }

    /** Adds every folded stack to {@code out}. */
    public void emit(FoldedProfile.RawBuilder out) {
        byte[][] nameBytes = new byte[names.size()][];
        for (int id = 0; id < nameBytes.length; id++) {
            nameBytes[id] = names.get(id).getBytes(StandardCharsets.ISO_8859_1);
        }
        stacks.forEach(new StackTable.Visitor() {
            @Override
            public void visit(int[] arena, int off, int len, long weight) {
                int n = len - 1; // the ';' between frames
                for (int i = 0; i < len; i++) {
                    n += nameBytes[arena[off + i]].length;
                }
                byte[] stack = new byte[n];
                int at = 0;
                for (int i = 0; i < len; i++) {
                    if (i > 0) {
                        stack[at++] = ';';
                    }
                    byte[] name = nameBytes[arena[off + i]];
                    System.arraycopy(name, 0, stack, at, name.length);
                    at += name.length;
                }
                out.add(stack, weight);
            }
        });
    }

    /** The sum of the periods of the samples folded (a sample without a period counts 1). */
    public long periodSum() {
        return periodSum;
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
