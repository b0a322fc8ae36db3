package io.github.stackfold.flamegraph.parse;

import io.github.stackfold.flamegraph.internal.Bytes;
import io.github.stackfold.flamegraph.internal.ReadBuffer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A pull parser over the text {@code perf script} prints: {@link #next()} moves to the next line and
 * says what kind it is; the accessors then give zero-copy {@link ByteView}s of its fields, valid until
 * the next call. It works on bytes (names need not be valid UTF-8), never holds more than one line
 * plus a read buffer, and tracks the 1-based line number and the byte offset of each line.
 *
 * <p>Lines are classified exactly as FlameGraph's {@code stackcollapse-perf.pl} classifies them (the
 * reference the {@code collapse} package is byte-identical to), in this order. A line is the bytes
 * up to, not including, {@code \n}; a final line without {@code \n} counts. "Blank" below means one
 * of space, tab, {@code \n}, vertical tab, form feed, carriage return.
 *
 * <h2>{@link Kind#COMMENT}: a line starting with {@code #}</h2>
 * The header of {@code perf script --header}:
 * <pre>
 * # ========
 * # captured on: Thu Jul  9 17:14:37 2015
 * # cmdline : /usr/bin/perf record -F 99 -a -g -- sleep 30
 * </pre>
 *
 * <h2>{@link Kind#END_OF_SAMPLE}: an empty line</h2>
 * Ends the sample that the event line above it started. Only an empty line does: a line of spaces or
 * a {@code \r} is {@link Kind#UNRECOGNIZED}, and a sample at the end of the input that no empty line
 * ends is left open.
 *
 * <h2>{@link Kind#EVENT}: the line that starts a sample</h2>
 * It starts with a non-blank byte; the command name is the shortest prefix of at least two bytes that
 * is followed by blanks, a number, optionally {@code /} and a second number, and a blank. Every shape
 * {@code perf script} prints for its default and {@code -F} field sets qualifies:
 * <pre>
 * java 25607 4794564.109216: 1 cycles:                          (comm, tid, time, period, event)
 * java 12688 [002] 6544038.708352: 10309278 cpu-clock:         (with the cpu)
 * java 24636/25607 [000] 4794564.109216: 1 cycles:             (pid/tid, from -F comm,pid,tid,...)
 * iperf 27409/28744 [000] 441995.133575: cpu-clock:            (no period: older perf)
 * swapper     0 [012] 2281339.604067:   20834821 cycles:       (padded)
 * V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:  (a command name with spaces)
 * inline-counter 26037  8801.193547:     250000 cpu-clock:uhH:  (event with modifiers and ':')
 * perf 47118 [011] 51499.088689:          1 page-faults:
 * kworker/0:1 123 [000] 10.000001: sched:sched_switch: prev_comm=kworker/0:1 prev_pid=123 ...  (tracepoint)
 * java 19983 cycles:                                           (comm, tid, event only)
 * </pre>
 * {@link #comm()} is the command name with its spaces; {@link #pid()} the first number and
 * {@link #tid()} the second when there is a {@code /} pair (perf's default output prints one number,
 * the thread id, which then is {@code pid()}). Whether a period and an event name are known is a
 * second test on the whole line: it ends with a token that ends in {@code :} (then blanks), preceded
 * by blanks, optionally by a number (the period) and more blanks, and a {@code :}. When that holds,
 * {@link #event()} is that last token without its final {@code :} ({@code cpu-clock:uhH} above) and
 * {@link #period()} the number if there is one. A tracepoint line with arguments after the event name,
 * or {@code java 19983 cycles:} (no {@code :} before the event), has no known event: {@link #hasEvent()}
 * is false. Command names may contain digits, spaces and {@code :}; they are taken as the rules above
 * say, quirks included: a task that had exited is printed as {@code :-1 -1 [000] 1.0: 1 cycles:}, and as
 * {@code -1} is no number, its command is {@code :-1 -1 [000] 1.0:} and its first number the
 * {@code 1} of the period; a one-letter command such as {@code a 7 1.0: 5 cycles:} likewise becomes
 * {@code a 7 1.0:} (the command has at least two bytes).
 *
 * <h2>{@link Kind#FRAME}: a stack line</h2>
 * Optional blanks, an address (letters, digits, {@code _}), optional blanks, the symbol, one space,
 * and the module in parentheses. When several {@code " ("} could start the module, the last one whose
 * parentheses close within the same blank-free run wins; the module ends at the last {@code )} of that
 * run, and anything after it is ignored:
 * <pre>
 *         ffffffff8103ce3b native_safe_halt ([kernel.kallsyms])             (kernel)
 *     7fffb84c9afc cpu_startup_entry+0x800047c022ec ([kernel.kallsyms])     (symbol+offset, Linux 4.8+)
 *         7d8 ipv4_conntrack_local+0x7f8f80b8 ([nf_conntrack_ipv4])         (kernel module, [k]-style)
 *           8c3453 tcp_sendmsg (/lib/modules/4.3.0-rc1-virtual/build/vmlinux)
 *             7f6d213c2750 [unknown] (/usr/lib64/libkmod.so.2.3.6)          (unknown symbol, known module)
 *             7ffc71ee9580 [unknown] ([unknown])                           (nothing known)
 *     7f722d142778 Ljava/io/PrintStream;::print (/tmp/perf-19982.map)       (JIT, perf-PID.map)
 *     7f89cc467bf0 Ljava/io/PrintStream;::println-&gt;Ljava/io/PrintStream;::write+0x0 (/tmp/perf-10487.map)  (inline frames joined by -&gt;)
 *       4b5d8e net/http.(*conn).serve+0x4ee (/usr/local/bin/server)        (Go method)
 *       562039122f0f &lt;std::collections::HashMap&lt;K,V&gt; as Trace&gt;::trace+0xbf (/target/debug/app)  (Rust)
 *       401b97 std::function&lt;void ()&gt;::operator()() const+0x32 (/opt/app) (C++)
 * ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])                (not indented: still a frame)
 * </pre>
 * With {@code perf script -F+srcline} a source line follows some frames
 * ({@code   uniform_int_dist.h:300}, {@code   libc-2.33.so[27b25]}); it has no module in parentheses
 * and is {@link Kind#UNRECOGNIZED}, as the reference treats it.
 *
 * <h2>{@link Kind#UNRECOGNIZED}</h2>
 * Anything else, e.g. {@code THIS_IS_A_WEIRD_LINE}: the caller decides (the collapser counts and
 * reports it and goes on).
 *
 * <p>Not thread-safe. {@link #close()} closes the stream it was given.
 */
public final class PerfScriptParser implements Closeable {

    /** What the current line is. */
    public enum Kind {
        /** A line starting with {@code #}. */
        COMMENT,
        /** An empty line: the end of a sample. */
        END_OF_SAMPLE,
        /** A sample's first line: command, ids, and maybe period and event name. */
        EVENT,
        /** A stack line: address, symbol, module. Leaf first, as perf prints them. */
        FRAME,
        /** A line of no known shape. */
        UNRECOGNIZED,
        /** The end of the input; there is no current line. */
        END
    }

    private static final int MIN_BUFFER = 1 << 16;

    private final InputStream in;
    private final String source;
    /** What was read; rb.start is where the next line starts. */
    private final ReadBuffer rb;

    private int lineStart;
    private int lineEnd;
    private long lineNumber;
    private long lineOffset;
    private Kind kind;

    private final ByteView line = new ByteView();
    private final ByteView comm = new ByteView();
    private final ByteView pid = new ByteView();
    private final ByteView tid = new ByteView();
    private final ByteView period = new ByteView();
    private final ByteView event = new ByteView();
    private final ByteView address = new ByteView();
    private final ByteView symbol = new ByteView();
    private final ByteView module = new ByteView();
    private boolean hasTid;
    private boolean hasEvent;
    private boolean hasPeriod;

    private PerfScriptParser(InputStream in, String source, byte[] buf, int pos, int limit, boolean eof,
            long firstLineNumber, long firstOffset) {
        this.in = in;
        this.source = Objects.requireNonNull(source, "source");
        this.rb = new ReadBuffer(buf, pos, limit, eof, firstOffset - pos);
        this.lineNumber = firstLineNumber - 1;
    }

    /** A parser reading {@code in} (already decompressed; see {@code io.Inputs}) named {@code source}. */
    public static PerfScriptParser of(InputStream in, String source) {
        return new PerfScriptParser(Objects.requireNonNull(in, "in"), source, new byte[MIN_BUFFER], 0, 0, false,
                1, 0);
    }

    /**
     * A parser over {@code buf[off, off + len)}, which it does not copy, whose first line is line
     * {@code firstLineNumber} of {@code source} and starts at byte {@code firstOffset} of it (used to
     * parse one chunk of a larger input).
     */
    public static PerfScriptParser of(byte[] buf, int off, int len, String source, long firstLineNumber,
            long firstOffset) {
        Objects.checkFromIndexSize(off, len, buf.length);
        return new PerfScriptParser(null, source, buf, off, off + len, true, firstLineNumber, firstOffset);
    }

    /**
     * Points this parser, made by {@link #of(byte[], int, int, String, long, long)}, at another region
     * of bytes, as if it were made anew (for callers that cut lines themselves and classify only some:
     * no parser is allocated per line).
     *
     * @throws IllegalStateException for a parser reading a stream
     */
    public PerfScriptParser reset(byte[] buf, int off, int len, long firstLineNumber, long firstOffset) {
        if (in != null) {
            throw new IllegalStateException("a parser reading a stream cannot be reset");
        }
        Objects.checkFromIndexSize(off, len, buf.length);
        rb.set(buf, off, off + len, true, firstOffset - off);
        this.lineNumber = firstLineNumber - 1;
        this.kind = null;
        return this;
    }

    /** The name the input was given (a file name or {@code <stdin>}). */
    public String source() {
        return source;
    }

    /** Moves to the next line and classifies it; {@link Kind#END} when the input is exhausted. */
    public Kind next() throws IOException {
        return nextLine() ? classify() : Kind.END;
    }

    /**
     * Moves to the next line without classifying it: {@link #line()}, {@link #lineNumber()} and
     * {@link #lineOffset()} are set, the field accessors are not until {@link #classify()}. For callers
     * that recognise most lines by their bytes alone (a collapser remembers what each distinct stack
     * line means) and classify only the others; {@code nextLine()} then {@code classify()} is {@link #next()}.
     *
     * @return false at the end of the input (then {@link #kind()} is {@link Kind#END})
     */
    public boolean nextLine() throws IOException {
        if (!readLine()) {
            kind = Kind.END;
            line.clear();
            return false;
        }
        kind = null;
        return true;
    }

    /** Classifies the line {@link #nextLine()} moved to, as {@link #next()} would have, and sets the fields. */
    public Kind classify() {
        if (kind == null) {
            kind = classify(rb.buf, lineStart, lineEnd);
        }
        return kind;
    }

    /** The kind {@link #next()} or {@link #classify()} last returned ({@code null} before, and after {@link #nextLine()}). */
    public Kind kind() {
        return kind;
    }

    /** 1-based number of the current line. */
    public long lineNumber() {
        return lineNumber;
    }

    /** 0-based byte offset of the current line's first byte in the input. */
    public long lineOffset() {
        return lineOffset;
    }

    /** The whole current line, without its {@code \n}. */
    public ByteView line() {
        return line;
    }

    /** {@link Kind#EVENT}: the command name as printed (spaces kept). */
    public ByteView comm() {
        return comm;
    }

    /** {@link Kind#EVENT}: the first number after the command (the thread id when perf printed only one). */
    public ByteView pid() {
        return pid;
    }

    /** {@link Kind#EVENT}: whether perf printed {@code pid/tid}. */
    public boolean hasTid() {
        return hasTid;
    }

    /** {@link Kind#EVENT}: the number after {@code /}; empty when {@link #hasTid()} is false. */
    public ByteView tid() {
        return tid;
    }

    /** {@link Kind#EVENT}: whether the line ends with a recognisable {@code : [period] event:}. */
    public boolean hasEvent() {
        return hasEvent;
    }

    /** {@link Kind#EVENT}: the event name without its final {@code :}, e.g. {@code cpu-clock:uhH}. */
    public ByteView event() {
        return event;
    }

    /** {@link Kind#EVENT}: whether a period precedes the event name. */
    public boolean hasPeriod() {
        return hasPeriod;
    }

    /** {@link Kind#EVENT}: the period's digits; empty when {@link #hasPeriod()} is false. */
    public ByteView period() {
        return period;
    }

    /** {@link Kind#FRAME}: the address as printed (hex for real perf output). */
    public ByteView address() {
        return address;
    }

    /** {@link Kind#FRAME}: the symbol as printed, with any {@code +0x} offset and {@code ->} inline chain. */
    public ByteView symbol() {
        return symbol;
    }

    /** {@link Kind#FRAME}: the module between the parentheses, e.g. {@code [kernel.kallsyms]}. */
    public ByteView module() {
        return module;
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // reading lines

    private boolean readLine() throws IOException {
        ReadBuffer r = rb;
        int nl = Bytes.indexOfNewline(r.buf, r.start, r.limit);
        while (nl < 0 && !r.eof) {
            int scanned = r.limit - r.start;
            r.fill(in);
            nl = Bytes.indexOfNewline(r.buf, r.start + scanned, r.limit);
        }
        if (nl < 0) {
            if (r.start >= r.limit) {
                return false;
            }
            nl = r.limit; // last line without \n
        }
        lineStart = r.start;
        lineEnd = nl;
        lineNumber++;
        lineOffset = r.base + r.start;
        r.start = nl < r.limit ? nl + 1 : r.limit;
        line.set(r.buf, lineStart, lineEnd - lineStart);
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // classifying a line (see the class comment; the rules mirror stackcollapse-perf.pl's, quirks included)

    private Kind classify(byte[] b, int s, int e) {
        if (e == s) {
            return Kind.END_OF_SAMPLE;
        }
        if (b[s] == '#') {
            return Kind.COMMENT;
        }
        if (matchEvent(b, s, e)) {
            return Kind.EVENT;
        }
        if (matchFrame(b, s, e)) {
            return Kind.FRAME;
        }
        return Kind.UNRECOGNIZED;
    }

    /** The end of the run of blanks that starts at {@code i} (at most {@code e}). */
    private static int blanksEnd(byte[] b, int i, int e) {
        while (i < e && Bytes.isBlank(b[i])) {
            i++;
        }
        return i;
    }

    /** The end of the run of digits that starts at {@code i} (at most {@code e}). */
    private static int digitsEnd(byte[] b, int i, int e) {
        while (i < e && isDigit(b[i])) {
            i++;
        }
        return i;
    }

    /** The start of the run of blanks that ends at {@code i} (at least {@code s}). */
    private static int blanksStart(byte[] b, int s, int i) {
        while (i > s && Bytes.isBlank(b[i - 1])) {
            i--;
        }
        return i;
    }

    /** The start of the run of digits that ends at {@code i} (at least {@code s}). */
    private static int digitsStart(byte[] b, int s, int i) {
        while (i > s && isDigit(b[i - 1])) {
            i--;
        }
        return i;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWord(byte c) {
        int l = c | 0x20; // ASCII letters to lower case
        return (l >= 'a' && l <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    private boolean matchEvent(byte[] b, int s, int e) {
        long head = eventHead(b, s, e);
        if (head < 0) {
            return false;
        }
        int i = (int) (head >>> 32);
        int n = (int) head;
        int j = i;
        while (Bytes.isBlank(b[j])) {
            j++;
        }
        int k = j;
        while (isDigit(b[k])) {
            k++;
        }
        int m = k;
        while (b[m] == '/') {
            m++;
        }
        comm.set(b, s, i - s);
        pid.set(b, j, k - j);
        hasTid = n > m;
        tid.set(b, m, n - m);
        matchPeriodAndEvent(b, s, e);
        return true;
    }

    /**
     * Where an event line's head ends: the index just after the blank that follows its command name
     * and ids ({@code comm pid[/tid] }), or -1 when {@code b[s, e)} is not an event line. The line's
     * classification as an event, its command and its ids depend on these bytes only (a caller may
     * reuse what it learnt from a line with the same head).
     */
    public static int eventHeadEnd(byte[] b, int s, int e) {
        long head = eventHead(b, s, e);
        return head < 0 ? -1 : (int) head + 1;
    }

    /** The command's end {@code i} and the ids' end {@code n} (a blank), packed {@code i << 32 | n}; or -1. */
    private static long eventHead(byte[] b, int s, int e) {
        if (e - s < 3 || Bytes.isBlank(b[s])) {
            return -1;
        }
        // the command is the shortest prefix (>= 2 bytes) followed by: blanks, digits, '/'*, digits*, a blank
        for (int i = s + 2; i < e; i++) {
            if (!Bytes.isBlank(b[i]) || (i - 1 >= s + 2 && Bytes.isBlank(b[i - 1]))) {
                continue; // only the first blank of a run can succeed where a later one would
            }
            int j = blanksEnd(b, i, e);
            int k = digitsEnd(b, j, e);
            if (k == j) {
                continue;
            }
            int m = k;
            while (m < e && b[m] == '/') {
                m++;
            }
            int n = digitsEnd(b, m, e);
            if (n >= e || !Bytes.isBlank(b[n])) {
                continue;
            }
            return (long) i << 32 | n;
        }
        return -1;
    }

    /**
     * Where the part of an event line that gives its period and event name starts: the {@code :}
     * before {@code [period] event:} at the line's end, for the line the parser just classified as an
     * {@link Kind#EVENT} with {@link #hasEvent()}; -1 otherwise. Period and event depend on the bytes
     * from there to the end only.
     */
    public int eventTailStart() {
        if (kind != Kind.EVENT || !hasEvent) {
            return -1;
        }
        byte[] b = line.array();
        int s = line.offset();
        return blanksStart(b, s, hasPeriod ? period.offset() : event.offset()) - 1;
    }

    /** {@code ... : [period] event:} at the end of the line. */
    private void matchPeriodAndEvent(byte[] b, int s, int e) {
        hasEvent = false;
        hasPeriod = false;
        event.set(b, s, 0);
        period.set(b, s, 0);
        int t = blanksStart(b, s, e);
        if (t - s < 2 || b[t - 1] != ':') {
            return;
        }
        int tok = t - 1;
        while (tok > s && !Bytes.isBlank(b[tok - 1])) {
            tok--;
        }
        if (tok >= t - 1 || tok == s) {
            return; // an empty event name, or no blank before it
        }
        int w = blanksStart(b, s, tok);
        int d = digitsStart(b, s, w);
        int v = d < w ? blanksStart(b, s, d) : d;
        if (v == s || b[v - 1] != ':') {
            return;
        }
        hasEvent = true;
        event.set(b, tok, t - 1 - tok);
        hasPeriod = d < w;
        period.set(b, d, w - d);
    }

    private boolean matchFrame(byte[] b, int s, int e) {
        int a = blanksEnd(b, s, e);
        int wMax = a;
        while (wMax < e && isWord(b[wMax])) {
            wMax++;
        }
        if (wMax == a) {
            return false;
        }
        // the module: the last " (" whose blank-free run holds a ')'; it ends at that run's last ')'
        int q = e - 2;
        int modEnd = -1;
        for (; q >= a + 2; q--) {
            if (b[q] == ' ' && b[q + 1] == '(') {
                int r = q + 2;
                int lastParen = -1;
                while (r < e && !Bytes.isBlank(b[r])) {
                    if (b[r] == ')') {
                        lastParen = r;
                    }
                    r++;
                }
                if (lastParen >= 0) {
                    modEnd = lastParen;
                    break;
                }
            }
        }
        if (modEnd < 0) {
            return false;
        }
        int fMax = blanksEnd(b, wMax, e);
        int wEnd;
        int f;
        if (q >= fMax + 1) {
            wEnd = wMax;
            f = fMax;
        } else if (q - 1 >= wMax) {
            wEnd = wMax;
            f = Math.min(fMax, q - 1);
        } else {
            wEnd = Math.min(wMax - 1, q - 1);
            if (wEnd < a + 1) {
                return false;
            }
            f = wEnd;
        }
        address.set(b, a, wEnd - a);
        symbol.set(b, f, q - f);
        module.set(b, q + 2, modEnd - (q + 2));
        return true;
    }
}
