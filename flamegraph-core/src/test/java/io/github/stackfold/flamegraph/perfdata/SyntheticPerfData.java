package io.github.stackfold.flamegraph.perfdata;

import com.github.luben.zstd.Zstd;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes small perf.data files for tests, in file mode or pipe mode, optionally with the records
 * zstd-compressed as {@code perf record -z} does, little-endian, with a 136-byte perf_event_attr (the
 * size perf 6.1 refuses): one {@code cycles} event sampling IP, TID, TIME, CALLCHAIN and PERIOD with
 * {@code sample_id_all}. Records go in the order they are added.
 */
final class SyntheticPerfData {
    static final long SAMPLE_TYPE = 0x1 | 0x2 | 0x4 | 0x20 | 0x100;
    private final List<byte[]> records = new ArrayList<>();
    private final List<String[]> buildIds = new ArrayList<>(); // {pid, id, path}
    private String hostname = "lab-node";
    private String osRelease = "6.14.0-1009-oracle";
    private String arch = "aarch64";
    private long time = 1_000_000;

    SyntheticPerfData host(String host, String release, String architecture) {
        this.hostname = host;
        this.osRelease = release;
        this.arch = architecture;
        return this;
    }

    SyntheticPerfData comm(int pid, int tid, String comm) {
        Rec r = new Rec(3, 0);
        r.i32(pid).i32(tid).str(comm);
        records.add(r.idAll(pid, tid, time++));
        return this;
    }

    /** An MMAP2 record with a build-id ({@code PERF_RECORD_MISC_MMAP_BUILD_ID}) when {@code buildId} is not null. */
    SyntheticPerfData mmap2(int pid, long start, long len, long pgoff, String path, String buildId) {
        Rec r = new Rec(10, 2 | (buildId != null ? 1 << 14 : 0));
        r.i32(pid).i32(pid).i64(start).i64(len).i64(pgoff);
        if (buildId != null) {
            byte[] id = hex(buildId);
            r.b.put((byte) id.length).put((byte) 0).putShort((short) 0).put(Arrays.copyOf(id, 20));
        } else {
            r.i32(8).i32(1).i64(1234).i64(0);
        }
        r.i32(5).i32(2).str(path);
        records.add(r.idAll(pid, pid, time++));
        return this;
    }

    /** A sample of {@code period} with a user callchain, leaf first. */
    SyntheticPerfData sample(int pid, int tid, long period, long... userChain) {
        Rec r = new Rec(9, 2);
        r.i64(userChain[0]).i32(pid).i32(tid).i64(time++).i64(period);
        r.i64(userChain.length + 1).i64(PerfSample.CONTEXT_USER);
        for (long ip : userChain) {
            r.i64(ip);
        }
        records.add(r.bytes());
        return this;
    }

    SyntheticPerfData finishedRound() {
        records.add(new Rec(68, 0).bytes());
        return this;
    }

    /** A build-id table entry. */
    SyntheticPerfData buildId(int pid, String buildId, String path) {
        buildIds.add(new String[] {Integer.toString(pid), buildId, path});
        return this;
    }

    /** The file-mode bytes ({@code perf record -o perf.data}). */
    byte[] file(boolean compressed) {
        byte[] data = data(compressed);
        ByteBuffer h = le(104);
        long idsAt = 104;
        long attrsAt = idsAt + 8;
        long dataAt = attrsAt + 152;
        h.putLong(0x32454c4946524550L).putLong(104).putLong(152).putLong(attrsAt).putLong(152)
                .putLong(dataAt).putLong(data.length).putLong(0).putLong(0);
        long bits = 1L << 2 | 1L << 3 | 1L << 4 | 1L << 6 | (compressed ? 1L << 27 : 0);
        h.putLong(bits).putLong(0).putLong(0).putLong(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        out.writeBytes(le(8).putLong(7).array()); // the event's id
        out.writeBytes(attr());
        out.writeBytes(le(16).putLong(idsAt).putLong(8).array());
        out.writeBytes(data);
        List<byte[]> feats = new ArrayList<>();
        feats.add(buildIdSection(0));
        feats.add(string(hostname));
        feats.add(string(osRelease));
        feats.add(string(arch));
        if (compressed) {
            feats.add(le(20).putInt(0).putInt(1).putInt(1).putInt(3).putInt(1 << 16).array());
        }
        long at = dataAt + data.length + 16L * feats.size();
        for (byte[] f : feats) {
            out.writeBytes(le(16).putLong(at).putLong(f.length).array());
            at += f.length;
        }
        for (byte[] f : feats) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    /** The pipe-mode bytes ({@code perf record -o -}). */
    byte[] pipe(boolean compressed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(16).putLong(0x32454c4946524550L).putLong(16).array());
        Rec a = new Rec(64, 0);
        a.b.put(attr(), 0, 136);
        a.i64(7);
        out.writeBytes(a.bytes());
        int[] ids = {3, 4, 6};
        String[] values = {hostname, osRelease, arch};
        for (int i = 0; i < ids.length; i++) {
            Rec f = new Rec(80, 0);
            f.i64(ids[i]);
            f.b.put(string(values[i]));
            out.writeBytes(f.bytes());
        }
        out.writeBytes(buildIdSection(67));
        out.writeBytes(data(compressed));
        return out.toByteArray();
    }

    private byte[] data(boolean compressed) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (byte[] r : records) {
            raw.writeBytes(r);
        }
        if (!compressed) {
            return raw.toByteArray();
        }
        // perf record -z: records compressed as one zstd stream, cut into COMPRESSED records (a record of the
        // stream may span two of them)
        byte[] z = Zstd.compress(raw.toByteArray(), 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int cut = z.length / 2;
        for (byte[] part : new byte[][] {Arrays.copyOfRange(z, 0, cut), Arrays.copyOfRange(z, cut, z.length)}) {
            Rec r = new Rec(81, 0);
            r.b.put(part);
            out.writeBytes(r.bytes(false));
        }
        return out.toByteArray();
    }

    private byte[] attr() {
        ByteBuffer a = le(136);
        a.putInt(0).putInt(136).putLong(0).putLong(99).putLong(SAMPLE_TYPE).putLong(0);
        a.putLong(1L << 10 | 1L << 18 | 1L << 23); // freq, sample_id_all, mmap2
        return a.array();
    }

    /** Build-id events; {@code type} 0 inside the feature section, 67 as pipe-mode records. */
    private byte[] buildIdSection(int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] b : buildIds) {
            Rec r = new Rec(type, 2 | 1 << 15);
            byte[] id = hex(b[1]);
            r.i32(Integer.parseInt(b[0]));
            r.b.put(Arrays.copyOf(id, 20)).put((byte) id.length).put((byte) 0).putShort((short) 0);
            r.str(b[2]);
            out.writeBytes(r.bytes());
        }
        return out.toByteArray();
    }

    private static byte[] string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int len = (b.length + 1 + 7) & ~7;
        ByteBuffer buf = le(4 + len);
        buf.putInt(len).put(b);
        return buf.array();
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** One record being written: header first, size filled in by {@link #bytes}. */
    private static final class Rec {
        final ByteBuffer b = le(1 << 16);

        Rec(int type, int misc) {
            b.putInt(type).putShort((short) misc).putShort((short) 0);
        }

        Rec i32(int v) {
            b.putInt(v);
            return this;
        }

        Rec i64(long v) {
            b.putLong(v);
            return this;
        }

        Rec str(String s) {
            byte[] v = s.getBytes(StandardCharsets.UTF_8);
            b.put(v).put((byte) 0);
            while (b.position() % 8 != 0) {
                b.put((byte) 0);
            }
            return this;
        }

        /** The sample id fields of a non-sample record: TID and TIME. */
        byte[] idAll(int pid, int tid, long time) {
            i32(pid).i32(tid).i64(time);
            return bytes();
        }

        byte[] bytes() {
            return bytes(true);
        }

        byte[] bytes(boolean align) {
            while (align && b.position() % 8 != 0) {
                b.put((byte) 0);
            }
            int n = b.position();
            b.putShort(6, (short) n);
            return Arrays.copyOf(b.array(), n);
        }
    }
}
