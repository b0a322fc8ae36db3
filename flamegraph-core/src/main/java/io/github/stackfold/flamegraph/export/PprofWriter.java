package io.github.stackfold.flamegraph.export;

import com.google.protobuf.CodedOutputStream;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.internal.NonClosingOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an {@link ExportProfile} as a gzipped pprof {@code profile.proto}, the file
 * {@code go tool pprof} reads. One function and one location per distinct frame name (locations have
 * no address: folded stacks carry none), one sample per stack with its locations leaf first and one
 * value per {@link ExportProfile#types() type}, which become the profile's sample types (the last one
 * is the default). The {@link ExportProfile#header() header} gives the period type and period, the time,
 * the duration and the main binary (one mapping with its file name only) where the input knew them;
 * each unknown one is left out. Field numbers are profile.proto's:
 *
 * <pre>
 * Profile   1 sample_type (ValueType)  2 sample  3 mapping  4 location  5 function  6 string_table
 *           9 time_nanos  10 duration_nanos  11 period_type  12 period  14 default_sample_type
 * ValueType 1 type  2 unit (string table indexes)
 * Sample    1 location_id (packed, leaf first)  2 value (packed)
 * Mapping   1 id  5 filename
 * Location  1 id  4 line (Line: 1 function_id)
 * Function  1 id  2 name  3 system_name
 * </pre>
 *
 * Frame names are raw bytes (see {@link FoldedProfile}); pprof strings are UTF-8, so they are
 * decoded first. Stateless.
 */
public final class PprofWriter {
    private PprofWriter() {
    }

    /** Writes the gzipped profile; the stream is finished (gzip trailer written), not closed. */
    public static void write(ExportProfile p, OutputStream out) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(new NonClosingOutputStream(out), 1 << 16);
        writeRaw(p, gz);
        gz.finish();
        gz.flush();
    }

    /** Writes the profile without gzip. */
    public static void writeRaw(ExportProfile p, OutputStream out) throws IOException {
        Strings strings = new Strings();
        Map<String, Integer> functionOf = new HashMap<>();
        List<String> functions = new ArrayList<>();
        CodedOutputStream o = CodedOutputStream.newInstance(out, 1 << 16);
        for (ExportProfile.ValueType t : p.types()) {
            int type = strings.id(t.type());
            int unit = strings.id(t.unit());
            message(o, 1, m -> {
                m.writeInt64(1, type);
                m.writeInt64(2, unit);
            });
        }
        int nTypes = p.types().size();
        long[] loc = new long[64];
        for (int i = 0; i < p.size(); i++) {
            List<String> frames = FoldedProfile.frames(p.stack(i));
            if (loc.length < frames.size()) {
                loc = new long[frames.size() * 2];
            }
            int n = frames.size();
            for (int f = 0; f < n; f++) {
                String name = FoldedProfile.decode(frames.get(f));
                Integer id = functionOf.get(name);
                if (id == null) {
                    id = functions.size() + 1;
                    functionOf.put(name, id);
                    functions.add(name);
                }
                loc[n - 1 - f] = id; // leaf first
            }
            long[] locations = loc;
            int stack = i;
            message(o, 2, m -> {
                packed(m, 1, locations, n);
                long[] vs = new long[nTypes];
                for (int t = 0; t < nTypes; t++) {
                    vs[t] = p.value(t, stack);
                }
                packed(m, 2, vs, nTypes);
            });
        }
        for (int f = 0; f < functions.size(); f++) {
            long id = f + 1;
            message(o, 4, m -> {
                m.writeUInt64(1, id);
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                CodedOutputStream l = CodedOutputStream.newInstance(line);
                l.writeUInt64(1, id);
                l.flush();
                m.writeByteArray(4, line.toByteArray());
            });
        }
        for (int f = 0; f < functions.size(); f++) {
            long id = f + 1;
            int name = strings.id(functions.get(f));
            message(o, 5, m -> {
                m.writeUInt64(1, id);
                m.writeInt64(2, name);
                m.writeInt64(3, name);
            });
        }
        ExportProfile.Header h = p.header();
        if (!h.binary().isEmpty()) {
            // the main binary: pprof's first mapping (locations have no addresses, so none points at it)
            int file = strings.id(h.binary());
            message(o, 3, m -> {
                m.writeUInt64(1, 1);
                m.writeInt64(5, file);
            });
        }
        ExportProfile.ValueType last = p.types().get(nTypes - 1);
        int lastType = strings.id(last.type());
        int periodType = h.periodType() == null ? 0 : strings.id(h.periodType().type());
        int periodUnit = h.periodType() == null ? 0 : strings.id(h.periodType().unit());
        for (String s : strings.list) {
            o.writeString(6, s);
        }
        if (h.timeNanos() > 0) {
            o.writeInt64(9, h.timeNanos());
        }
        if (h.durationNanos() > 0) {
            o.writeInt64(10, h.durationNanos());
        }
        if (h.periodType() != null) {
            message(o, 11, m -> {
                m.writeInt64(1, periodType);
                m.writeInt64(2, periodUnit);
            });
        }
        if (h.period() > 0) {
            o.writeInt64(12, h.period());
        }
        o.writeInt64(14, lastType);
        o.flush();
    }

    private interface Body {
        void write(CodedOutputStream m) throws IOException;
    }

    private static void message(CodedOutputStream o, int field, Body body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        CodedOutputStream m = CodedOutputStream.newInstance(b);
        body.write(m);
        m.flush();
        o.writeByteArray(field, b.toByteArray());
    }

    private static void packed(CodedOutputStream m, int field, long[] values, int n) throws IOException {
        int size = 0;
        for (int i = 0; i < n; i++) {
            size += CodedOutputStream.computeUInt64SizeNoTag(values[i]);
        }
        m.writeTag(field, 2);
        m.writeUInt32NoTag(size);
        for (int i = 0; i < n; i++) {
            m.writeUInt64NoTag(values[i]);
        }
    }

    private static final class Strings {
        final List<String> list = new ArrayList<>(List.of(""));
        final Map<String, Integer> ids = new HashMap<>(Map.of("", 0));

        int id(String s) {
            return ids.computeIfAbsent(s, k -> {
                list.add(k);
                return list.size() - 1;
            });
        }
    }
}
