package io.github.stackfold.flamegraph.pprof;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small profile.proto messages for the cases the real profiles lack (labels, names with
 * {@code ;}, locations without lines, other sample types), with protobuf-java's writer and the field
 * numbers of profile.proto.
 */
final class ProtoWriter {
    private final List<String> strings = new ArrayList<>(List.of(""));
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(body);

    int string(String s) {
        int i = strings.indexOf(s);
        if (i >= 0) {
            return i;
        }
        strings.add(s);
        return strings.size() - 1;
    }

    ProtoWriter sampleType(String type, String unit) {
        return message(1, m -> {
            m.writeInt64(1, string(type));
            m.writeInt64(2, string(unit));
        });
    }

    /** A sample: location ids leaf first (packed), values, labels as {key, str} or {key, num, unit}. */
    ProtoWriter sample(long[] locations, long[] values, Object[]... labels) {
        return message(2, m -> {
            packed(m, 1, locations);
            packed(m, 2, values);
            for (Object[] l : labels) {
                ProtoWriter w = this;
                byte[] label = w.bytes(c -> {
                    c.writeInt64(1, string((String) l[0]));
                    if (l[1] instanceof String) {
                        c.writeInt64(2, string((String) l[1]));
                    } else {
                        c.writeInt64(3, (Long) l[1]);
                        if (l.length > 2) {
                            c.writeInt64(4, string((String) l[2]));
                        }
                    }
                });
                m.writeByteArray(3, label);
            }
        });
    }

    /** A location whose lines are function ids, innermost first (the last is the caller). */
    ProtoWriter location(long id, long address, long... functionIds) {
        return message(4, m -> {
            m.writeUInt64(1, id);
            m.writeUInt64(3, address);
            for (long f : functionIds) {
                m.writeByteArray(4, bytes(c -> c.writeUInt64(1, f)));
            }
        });
    }

    ProtoWriter function(long id, String name) {
        return message(5, m -> {
            m.writeUInt64(1, id);
            m.writeInt64(2, string(name));
        });
    }

    ProtoWriter mapping(long id, String file) {
        return message(3, m -> {
            m.writeUInt64(1, id);
            m.writeInt64(5, string(file));
        });
    }

    /** The message: fields written so far, then the string table. */
    byte[] build() {
        try {
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(body.toByteArray());
            CodedOutputStream c = CodedOutputStream.newInstance(all);
            for (String s : strings) {
                c.writeByteArray(6, s.getBytes(StandardCharsets.UTF_8));
            }
            c.flush();
            return all.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProtoWriter message(int field, Body b) {
        try {
            out.writeByteArray(field, bytes(b));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private static void packed(CodedOutputStream m, int field, long[] values) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(buf);
        for (long v : values) {
            c.writeInt64NoTag(v);
        }
        c.flush();
        m.writeByteArray(field, buf.toByteArray());
    }

    private byte[] bytes(Body b) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            CodedOutputStream c = CodedOutputStream.newInstance(buf);
            b.write(c);
            c.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }
}
