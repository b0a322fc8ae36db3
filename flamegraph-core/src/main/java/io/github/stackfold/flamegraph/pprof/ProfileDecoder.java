package io.github.stackfold.flamegraph.pprof;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over the wire form of {@code profile.proto} with protobuf-java's {@link CodedInputStream},
 * keeping only the fields a flame graph needs in flat arrays. Strings stay string-table indices until
 * the whole message is read, because encoders (Go's among them) write the string table last.
 *
 * <p>Field numbers are those of {@code github.com/google/pprof/proto/profile.proto}. Unknown fields
 * are skipped, as protobuf requires; a known field with the wrong wire type is an error.
 */
final class ProfileDecoder {
    // Profile
    private static final int P_SAMPLE_TYPE = 1;
    private static final int P_SAMPLE = 2;
    private static final int P_MAPPING = 3;
    private static final int P_LOCATION = 4;
    private static final int P_FUNCTION = 5;
    private static final int P_STRING_TABLE = 6;
    private static final int P_TIME_NANOS = 9;
    private static final int P_DURATION_NANOS = 10;
    private static final int P_PERIOD_TYPE = 11;
    private static final int P_PERIOD = 12;
    /** Highest Profile field number known when this was written (15: doc_url). */
    static final int P_MAX_FIELD = 15;

    // the varint fields read of the sub-messages, by field number from 1 (see readVarints)
    private static final String[] VALUE_TYPE = {"ValueType.type", "ValueType.unit"};
    private static final String[] LABEL = {"Label.key", "Label.str", "Label.num", "Label.num_unit"};
    private static final String[] MAPPING = {null, null, null, null, "Mapping.filename"};
    private static final String[] LINE = {"Line.function_id"};
    private static final String[] FUNCTION = {"Function.id", "Function.name", "Function.system_name"};

    private static final int LD = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int VARINT = WireFormat.WIRETYPE_VARINT;

    // sample_type / period_type (ValueType: type = 1, unit = 2)
    final LongList sampleTypeName = new LongList();
    final LongList sampleTypeUnit = new LongList();
    long periodTypeName;
    long periodTypeUnit;
    /** The values of the sub-message {@link #readVarints} read last, by field number (5 at the most). */
    private final long[] varints = new long[6];
    long period;
    long timeNanos;
    long durationNanos;

    // samples: location ids, values and labels of sample i are [xStart[i], xStart[i + 1])
    int samples;
    final LongList sampleLocations = new LongList();
    final LongList sampleValues = new LongList();
    final LongList labelKey = new LongList();
    final LongList labelStr = new LongList();
    final LongList labelNum = new LongList();
    final LongList labelUnit = new LongList();
    int[] locationStart = new int[64];
    int[] valueStart = new int[64];
    int[] labelStart = new int[64];

    // locations: lines of location i are lineFunction[lineStart[i] .. lineStart[i + 1])
    final Map<Long, Integer> locationIndex = new HashMap<>();
    final LongList locationAddress = new LongList();
    final LongList lineFunction = new LongList();
    int[] lineStart = new int[64];

    // functions
    final Map<Long, Integer> functionIndex = new HashMap<>();
    final LongList functionName = new LongList();
    final LongList functionSystemName = new LongList();

    // the first mapping is the main binary by pprof's convention
    long mainMappingFile = -1;

    final List<byte[]> strings = new ArrayList<>();
    private String[] raw;

    private ProfileDecoder() {
    }

    /** Decodes a raw (not gzipped) profile. */
    static ProfileDecoder decode(byte[] data) throws IOException {
        ProfileDecoder d = new ProfileDecoder();
        CodedInputStream in = CodedInputStream.newInstance(data);
        in.setSizeLimit(Integer.MAX_VALUE);
        try {
            d.readProfile(in);
        } catch (InvalidProtocolBufferException e) {
            throw new WireException(in.getTotalBytesRead(), e);
        }
        d.locationStart[d.samples] = d.sampleLocations.size();
        d.valueStart[d.samples] = d.sampleValues.size();
        d.labelStart[d.samples] = d.labelKey.size();
        d.lineStart[d.locationAddress.size()] = d.lineFunction.size();
        return d;
    }

    private void readProfile(CodedInputStream in) throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            int wt = WireFormat.getTagWireType(tag);
            switch (field) {
                case P_SAMPLE_TYPE -> {
                    long[] vt = readVarints(in, wt, "Profile.sample_type", VALUE_TYPE);
                    sampleTypeName.add(vt[1]);
                    sampleTypeUnit.add(vt[2]);
                }
                case P_SAMPLE -> readSample(in, wt);
                case P_MAPPING -> readMapping(in, wt);
                case P_LOCATION -> readLocation(in, wt);
                case P_FUNCTION -> readFunction(in, wt);
                case P_STRING_TABLE -> {
                    expect(wt, LD, "Profile.string_table");
                    strings.add(in.readByteArray());
                }
                case P_TIME_NANOS -> timeNanos = varint(in, wt, "Profile.time_nanos");
                case P_DURATION_NANOS -> durationNanos = varint(in, wt, "Profile.duration_nanos");
                case P_PERIOD_TYPE -> {
                    long[] vt = readVarints(in, wt, "Profile.period_type", VALUE_TYPE);
                    periodTypeName = vt[1];
                    periodTypeUnit = vt[2];
                }
                case P_PERIOD -> period = varint(in, wt, "Profile.period");
                default -> in.skipField(tag);
            }
        }
    }

    private void readSample(CodedInputStream in, int wt) throws IOException {
        int old = enter(in, wt, "Profile.sample");
        int i = samples;
        if (i + 1 >= locationStart.length) {
            int n = locationStart.length * 2;
            locationStart = Arrays.copyOf(locationStart, n);
            valueStart = Arrays.copyOf(valueStart, n);
            labelStart = Arrays.copyOf(labelStart, n);
        }
        locationStart[i] = sampleLocations.size();
        valueStart[i] = sampleValues.size();
        labelStart[i] = labelKey.size();
        int tag;
        while ((tag = in.readTag()) != 0) {
            int wire = WireFormat.getTagWireType(tag);
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> repeatedVarint(in, wire, sampleLocations, "Sample.location_id");
                case 2 -> repeatedVarint(in, wire, sampleValues, "Sample.value");
                case 3 -> readLabel(in, wire);
                default -> in.skipField(tag);
            }
        }
        leave(in, old);
        samples = i + 1;
    }

    private void readLabel(CodedInputStream in, int wt) throws IOException {
        long[] v = readVarints(in, wt, "Sample.label", LABEL);
        labelKey.add(v[1]);
        labelStr.add(v[2]);
        labelNum.add(v[3]);
        labelUnit.add(v[4]);
    }

    private void readMapping(CodedInputStream in, int wt) throws IOException {
        long file = readVarints(in, wt, "Profile.mapping", MAPPING)[5];
        if (mainMappingFile < 0) {
            mainMappingFile = file;
        }
    }

    private void readLocation(CodedInputStream in, int wt) throws IOException {
        int old = enter(in, wt, "Profile.location");
        int index = locationAddress.size();
        if (index + 1 >= lineStart.length) {
            lineStart = Arrays.copyOf(lineStart, lineStart.length * 2);
        }
        lineStart[index] = lineFunction.size();
        long id = 0;
        long address = 0;
        int tag;
        while ((tag = in.readTag()) != 0) {
            int wire = WireFormat.getTagWireType(tag);
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> id = varint(in, wire, "Location.id");
                case 3 -> address = varint(in, wire, "Location.address");
                case 4 -> lineFunction.add(readVarints(in, wire, "Location.line", LINE)[1]);
                default -> in.skipField(tag);
            }
        }
        leave(in, old);
        locationAddress.add(address);
        if (locationIndex.putIfAbsent(id, index) != null) {
            throw new InvalidProtocolBufferException("two locations with id " + id);
        }
    }

    private void readFunction(CodedInputStream in, int wt) throws IOException {
        long[] v = readVarints(in, wt, "Profile.function", FUNCTION);
        long id = v[1];
        int index = functionName.size();
        functionName.add(v[2]);
        functionSystemName.add(v[3]);
        if (functionIndex.putIfAbsent(id, index) != null) {
            throw new InvalidProtocolBufferException("two functions with id " + id);
        }
    }

    /** A string-table entry as a raw string (one char per byte), or null when out of range. */
    String string(long index) {
        if (index < 0 || index >= strings.size()) {
            return null;
        }
        if (raw == null) {
            raw = new String[strings.size()];
        }
        int i = (int) index;
        String s = raw[i];
        if (s == null) {
            s = new String(strings.get(i), StandardCharsets.ISO_8859_1);
            raw[i] = s;
        }
        return s;
    }

    // ---- wire helpers

    /**
     * Reads a sub-message whose known fields are all varints: field number f is {@code fields[f - 1]}, its
     * name for errors (null, or past the end: not needed, skipped as unknown). Returns {@link #varints},
     * the value of field f at [f] (the last one, as protobuf merges; 0 when absent), until the next call.
     */
    private long[] readVarints(CodedInputStream in, int wt, String message, String[] fields) throws IOException {
        int old = enter(in, wt, message);
        Arrays.fill(varints, 0);
        int tag;
        while ((tag = in.readTag()) != 0) {
            int f = WireFormat.getTagFieldNumber(tag);
            if (f <= fields.length && fields[f - 1] != null) {
                varints[f] = varint(in, WireFormat.getTagWireType(tag), fields[f - 1]);
            } else {
                in.skipField(tag);
            }
        }
        leave(in, old);
        return varints;
    }

    private static int enter(CodedInputStream in, int wt, String what) throws IOException {
        expect(wt, LD, what);
        int length = in.readRawVarint32();
        if (length < 0) {
            throw new InvalidProtocolBufferException(what + " has a negative length");
        }
        return in.pushLimit(length);
    }

    /** Ends an embedded message; the input ending before its declared length is a truncation. */
    private static void leave(CodedInputStream in, int oldLimit) throws IOException {
        if (in.getBytesUntilLimit() > 0) {
            throw new InvalidProtocolBufferException("the input ends inside a message (truncated)");
        }
        in.popLimit(oldLimit);
    }

    private static long varint(CodedInputStream in, int wt, String what) throws IOException {
        expect(wt, VARINT, what);
        return in.readRawVarint64();
    }

    /** A repeated integer field, packed (one length-delimited run) or not (one varint per tag). */
    private static void repeatedVarint(CodedInputStream in, int wt, LongList out, String what) throws IOException {
        if (wt == VARINT) {
            out.add(in.readRawVarint64());
            return;
        }
        int old = enter(in, wt, what);
        while (in.getBytesUntilLimit() > 0 && !in.isAtEnd()) {
            out.add(in.readRawVarint64());
        }
        leave(in, old);
    }

    private static void expect(int wt, int expected, String what) throws InvalidProtocolBufferException {
        if (wt != expected) {
            throw new InvalidProtocolBufferException(what + " has wire type " + wt + ", expected "
                    + (expected == LD ? "length-delimited (2)" : "varint (0)"));
        }
    }

    /** The expected wire type of a top-level Profile field, or -1 for none known. */
    static int profileWireType(int field) {
        return switch (field) {
            case 1, 2, 3, 4, 5, 6, 11 -> LD;
            case 7, 8, 9, 10, 12, 13, 14, 15 -> VARINT;
            default -> -1;
        };
    }

    /** A decoding failure with the byte offset where it happened. */
    static final class WireException extends IOException {
        private static final long serialVersionUID = 1L;
        final long offset;

        WireException(long offset, InvalidProtocolBufferException cause) {
            super(cause.getMessage(), cause);
            this.offset = offset;
        }
    }

    /** A growable long array. */
    static final class LongList {
        private long[] a = new long[64];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long get(int i) {
            return a[i];
        }

        int size() {
            return n;
        }
    }
}
