package io.github.stackfold.flamegraph.pprof;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.internal.Bytes;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

/**
 * Reads pprof profiles ({@code profile.proto}, as served by Go's {@code /debug/pprof/profile}) into
 * folded stacks. Gzipped (as Go writes them) or raw, told apart by content. Decoding uses
 * protobuf-java's wire-level {@link CodedInputStream}; only the fields below are read.
 *
 * <p>What is read, with the values of a real kube-apiserver CPU profile as
 * {@code go tool pprof -raw} prints them:
 *
 * <pre>
 * PeriodType: cpu nanoseconds                     period_type, period
 * samples/count cpu/nanoseconds                   sample_type: the weights each sample carries
 *           8   80000000: 34 35 36 37 38 39 40 4 5    sample: values, then location ids, leaf first
 *     7: 0x4ed063 M=1 golang.org/x/net/http2.typeFrameParser frame.go:141    location 7, line 0 (inlined)
 *                  golang.org/x/net/http2.(*Framer).ReadFrame frame.go:509   location 7, line 1 (its caller)
 * </pre>
 *
 * <p>How it becomes folded stacks:
 * <ul>
 * <li>A sample's locations are reversed so the root comes first. A location with several lines holds
 *   inlined calls, the last line being the outermost: each line becomes its own frame, outermost
 *   first. Location 7 above gives {@code ...;golang.org/x/net/http2.(*Framer).ReadFrame;golang.org/x/net/http2.typeFrameParser}.
 * <li>A frame is the function's name (its system name when the name is empty; {@code 0x} and the
 *   hex address when the location has no lines). Names are raw strings (one char per byte, see
 *   {@link FoldedProfile}). A {@code ;} inside a name (Go generic shapes such as
 *   {@code struct { a int; b int }}) is written as {@code :}, because {@code ;} separates frames; line
 *   breaks become spaces.
 * <li>The weight is the value of the sample type chosen in {@link PprofOptions} ({@code cpu}, CPU
 *   nanoseconds, by default). Samples with weight 0 are left out; equal stacks add up.
 * <li>{@link PprofOptions#tags()} put {@code KEY=VALUE} frames above the root.
 * </ul>
 *
 * <p>Errors: input that is not a profile, or is truncated or corrupt, is a {@link BadInputException}
 * naming the source (and the byte offset when decoding failed); a profile without the chosen sample
 * type, or with no non-zero sample of it, is a {@link NoSamplesException} naming the source.
 *
 * <p>Instances are immutable and thread-safe. Profiles are read whole into memory (they are small:
 * a 30 s apiserver CPU profile is about 70 kB).
 */
public final class PprofReader {
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};

    private final PprofOptions options;

    private PprofReader(PprofOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A reader with the given options. */
    public static PprofReader create(PprofOptions options) {
        return new PprofReader(options);
    }

    /** A reader with {@link PprofOptions#defaults()}. */
    public static PprofReader create() {
        return new PprofReader(PprofOptions.defaults());
    }

    public PprofOptions options() {
        return options;
    }

    /** Reads a profile file; the source named in errors is the path as given. */
    public PprofProfile read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.toString());
    }

    /** Reads a whole stream (not closed). */
    public PprofProfile read(InputStream in, String source) throws IOException {
        return read(in.readAllBytes(), source);
    }

    /** Reads a profile held in memory, gzipped or raw. */
    public PprofProfile read(byte[] data, String source) {
        Objects.requireNonNull(source, "source");
        byte[] raw = isGzip(data, data.length) ? gunzip(data, source) : data;
        if (raw.length == 0) {
            throw new BadInputException(source, "empty input: expected a pprof profile (profile.proto, raw or gzipped)");
        }
        if (!looksLikeProfile(raw, Math.min(raw.length, 4096))) {
            throw new BadInputException(source, "not a pprof profile: expected profile.proto, raw or gzipped");
        }
        ProfileDecoder d;
        try {
            d = ProfileDecoder.decode(raw);
        } catch (ProfileDecoder.WireException e) {
            throw new BadInputException(source, 0, e.offset, "truncated or corrupt pprof profile at byte "
                    + e.offset + " of " + raw.length + ": " + firstSentence(e.getMessage()));
        } catch (IOException e) {
            throw new BadInputException(source, "cannot decode the pprof profile: " + firstSentence(e.getMessage()));
        }
        return fold(d, source);
    }

    /**
     * The label keys the samples of a profile carry, in the order first seen (empty for a profile
     * without labels, such as the kube-apiserver's CPU profiles). Which keys there are decides which
     * {@link PprofOptions#tags()} are worth reading, e.g. {@code verb} and {@code resource} for the API
     * calls of an analysis.
     *
     * @throws BadInputException as {@link #read(byte[], String)}
     */
    public static List<String> labelKeys(byte[] data, String source) {
        Objects.requireNonNull(source, "source");
        byte[] raw = isGzip(data, data.length) ? gunzip(data, source) : data;
        if (raw.length == 0 || !looksLikeProfile(raw, Math.min(raw.length, 4096))) {
            throw new BadInputException(source, "not a pprof profile: expected profile.proto, raw or gzipped");
        }
        ProfileDecoder d;
        try {
            d = ProfileDecoder.decode(raw);
        } catch (IOException e) {
            throw new BadInputException(source, "cannot decode the pprof profile: " + firstSentence(e.getMessage()));
        }
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
        for (int i = 0; i < d.labelKey.size(); i++) {
            String k = d.string(d.labelKey.get(i));
            if (k != null && !k.isEmpty()) {
                keys.add(printable(FoldedProfile.decode(k)));
            }
        }
        return List.copyOf(keys);
    }

    /** True when {@code head} starts with the gzip magic number. */
    public static boolean isGzip(byte[] head, int length) {
        return length >= 2 && head[0] == GZIP_MAGIC[0] && head[1] == GZIP_MAGIC[1];
    }

    /**
     * True when the first {@code length} bytes of {@code head} look like a raw (not gzipped)
     * {@code profile.proto}: binary (a control byte no text has) and, as far as they go, a sequence of
     * Profile fields with the right wire types. A cheap test for format sniffing, not a validation.
     */
    public static boolean looksLikeProfile(byte[] head, int length) {
        if (length <= 0) {
            return false;
        }
        if (!Bytes.hasBinaryByte(head, length)) {
            return false;
        }
        CodedInputStream in = CodedInputStream.newInstance(head, 0, length);
        int tags = 0;
        try {
            int tag;
            while ((tag = in.readTag()) != 0) {
                int field = WireFormat.getTagFieldNumber(tag);
                int wt = WireFormat.getTagWireType(tag);
                int expected = ProfileDecoder.profileWireType(field);
                // comment (13) is a repeated int64 and may come packed
                boolean ok = wt == expected || (field == 13 && wt == WireFormat.WIRETYPE_LENGTH_DELIMITED);
                if (!ok) {
                    return false;
                }
                tags++;
                in.skipField(tag);
            }
            return tags > 0;
        } catch (IOException e) {
            // the head ends inside a field: judge by the fields that began well
            return tags > 0;
        }
    }

    private FoldedProfile.Builder builderFor(ProfileDecoder d, int valueIndex, String source) {
        FoldedProfile.Builder b = FoldedProfile.builder();
        int nTypes = d.sampleTypeName.size();
        String[][] frames = new String[d.locationAddress.size()][];
        List<String> tags = options.tags();
        long[] tagKeys = tagKeyIndices(d, tags);
        StringBuilder sb = new StringBuilder(512);
        for (int s = 0; s < d.samples; s++) {
            int v0 = d.valueStart[s];
            int nValues = d.valueStart[s + 1] - v0;
            if (nValues != nTypes) {
                throw new BadInputException(source, "sample " + (s + 1) + " has " + nValues
                        + " values but the profile declares " + nTypes + " sample types");
            }
            long weight = d.sampleValues.get(v0 + valueIndex);
            if (weight == 0) {
                continue;
            }
            if (weight < 0) {
                throw new BadInputException(source, "sample " + (s + 1) + " has a negative value " + weight
                        + " (a pprof diff profile?): expected a profile of non-negative samples");
            }
            sb.setLength(0);
            for (int t = 0; t < tagKeys.length; t++) {
                appendTag(d, s, tags.get(t), tagKeys[t], sb);
                sb.append(';');
            }
            int l0 = d.locationStart[s];
            int l1 = d.locationStart[s + 1];
            if (l0 == l1) {
                sb.append("[no stack]");
            }
            for (int j = l1 - 1; j >= l0; j--) {
                String[] f = framesOf(d, d.sampleLocations.get(j), frames, source);
                for (String name : f) {
                    sb.append(name).append(';');
                }
            }
            if (sb.charAt(sb.length() - 1) == ';') {
                sb.setLength(sb.length() - 1);
            }
            b.add(sb.toString(), weight);
        }
        return b;
    }

    private PprofProfile fold(ProfileDecoder d, String source) {
        int valueIndex = sampleTypeIndex(d, source);
        String type = typeName(d, valueIndex, source);
        FoldedProfile folded = builderFor(d, valueIndex, source).build();
        if (folded.isEmpty()) {
            throw new NoSamplesException(source + ": the pprof profile has no samples with a non-zero "
                    + type + " value");
        }
        String binary = "";
        String mapping = "";
        if (d.mainMappingFile > 0) {
            String file = d.string(d.mainMappingFile);
            if (file != null) {
                mapping = FoldedProfile.decode(file);
                binary = mapping.substring(mapping.lastIndexOf('/') + 1);
            }
        }
        String periodType = "";
        if (d.periodTypeName > 0 || d.periodTypeUnit > 0) {
            String name = d.string(d.periodTypeName);
            String unit = d.string(d.periodTypeUnit);
            periodType = FoldedProfile.decode(name == null ? "" : name) + "/" + FoldedProfile.decode(unit == null ? "" : unit);
        }
        folded = folded.withMeta(meta(d, valueIndex, folded));
        return new PprofProfile(folded, type, binary, d.timeNanos, d.durationNanos, mapping, periodType,
                Math.max(0, d.period));
    }

    /**
     * What the weights mean: the samples from the {@code samples/count} values of the samples kept (or,
     * without that type, the weight over a constant period); CPU nanoseconds for a {@code cpu/nanoseconds}
     * weight (or any nanoseconds weight of a profile whose period type is cpu); the period when the period type is the weight's;
     * {@code duration_nanos}.
     */
    private static ProfileMeta meta(ProfileDecoder d, int valueIndex, FoldedProfile folded) {
        String name = d.string(d.sampleTypeName.get(valueIndex));
        String unit = d.string(d.sampleTypeUnit.get(valueIndex));
        int countIndex = -1;
        for (int i = 0; i < d.sampleTypeName.size(); i++) {
            if ("samples".equals(d.string(d.sampleTypeName.get(i))) && "count".equals(d.string(d.sampleTypeUnit.get(i)))) {
                countIndex = i;
            }
        }
        long period = 0;
        if (d.periodTypeName > 0 && d.period > 0 && Objects.equals(d.string(d.periodTypeName), name)
                && Objects.equals(d.string(d.periodTypeUnit), unit)) {
            period = d.period;
        }
        long samples = -1;
        if (countIndex == valueIndex) {
            samples = folded.total();
        } else if (countIndex >= 0) {
            samples = 0;
            for (int s = 0; s < d.samples; s++) {
                int v0 = d.valueStart[s];
                if (d.sampleValues.get(v0 + valueIndex) != 0) {
                    samples += d.sampleValues.get(v0 + countIndex);
                }
            }
        } else if (period > 0 && folded.total() % period == 0) {
            samples = folded.total() / period;
        }
        boolean cpu = "nanoseconds".equals(unit) && ("cpu".equals(name) || "cpu".equals(d.string(d.periodTypeName)));
        ProfileMeta.Weight w = countIndex == valueIndex ? ProfileMeta.Weight.SAMPLES
                : cpu ? ProfileMeta.Weight.CPU_NANOSECONDS : ProfileMeta.Weight.EVENTS;
        long cpuNanos = cpu ? folded.total() : -1;
        if (w == ProfileMeta.Weight.SAMPLES) {
            period = 0;
        }
        return new ProfileMeta(samples, w, name == null ? "" : FoldedProfile.decode(name), period, cpuNanos,
                Math.max(0, d.durationNanos));
    }

    private int sampleTypeIndex(ProfileDecoder d, String source) {
        String wanted = FoldedProfile.encode(options.sampleType());
        int n = d.sampleTypeName.size();
        List<String> have = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = d.string(d.sampleTypeName.get(i));
            String unit = d.string(d.sampleTypeUnit.get(i));
            if (name == null || unit == null) {
                throw new BadInputException(source, "sample type " + (i + 1)
                        + " refers to a string the profile does not hold (corrupt profile)");
            }
            if (wanted.equals(name) || wanted.equals(name + "/" + unit)) {
                return i;
            }
            have.add(printable(FoldedProfile.decode(name + "/" + unit)));
        }
        if (n == 0) {
            throw new NoSamplesException(source + ": the pprof profile declares no sample types");
        }
        String what = options.sampleType().equals("cpu") ? " (not a CPU profile?)" : "";
        throw new NoSamplesException(source + ": the pprof profile has no sample type '" + options.sampleType()
                + "'" + what + "; it has " + String.join(", ", have));
    }

    /** Text from the profile as it may appear in a one-line message: control characters shown as '?'. */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, '?');
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static String typeName(ProfileDecoder d, int i, String source) {
        return printable(FoldedProfile.decode(d.string(d.sampleTypeName.get(i)) + "/" + d.string(d.sampleTypeUnit.get(i))));
    }

    private static long[] tagKeyIndices(ProfileDecoder d, List<String> tags) {
        long[] keys = new long[tags.size()];
        for (int t = 0; t < keys.length; t++) {
            String raw = FoldedProfile.encode(tags.get(t));
            keys[t] = -1;
            for (int i = 1; i < d.strings.size(); i++) {
                if (raw.equals(d.string(i))) {
                    keys[t] = i;
                    break;
                }
            }
        }
        return keys;
    }

    private static void appendTag(ProfileDecoder d, int sample, String key, long keyIndex, StringBuilder sb) {
        sb.append(clean(FoldedProfile.encode(key))).append('=');
        int valuesStart = sb.length();
        if (keyIndex > 0) {
            for (int i = d.labelStart[sample]; i < d.labelStart[sample + 1]; i++) {
                if (d.labelKey.get(i) != keyIndex) {
                    continue;
                }
                if (sb.length() > valuesStart) {
                    sb.append(',');
                }
                long str = d.labelStr.get(i);
                if (str != 0) {
                    String v = d.string(str);
                    sb.append(v == null ? "?" : clean(v));
                } else {
                    sb.append(d.labelNum.get(i));
                    String unit = d.labelUnit.get(i) != 0 ? d.string(d.labelUnit.get(i)) : null;
                    if (unit != null && !unit.isEmpty()) {
                        sb.append(' ').append(clean(unit));
                    }
                }
            }
        }
        if (sb.length() == valuesStart) {
            sb.append('?');
        }
    }

    /** The frames of one location, outermost first, made once per location. */
    private static String[] framesOf(ProfileDecoder d, long locationId, String[][] cache, String source) {
        Integer index = d.locationIndex.get(locationId);
        if (index == null) {
            throw new BadInputException(source, "a sample refers to location " + locationId
                    + ", which the profile does not define (corrupt profile)");
        }
        String[] f = cache[index];
        if (f != null) {
            return f;
        }
        int l0 = d.lineStart[index];
        int l1 = d.lineStart[index + 1];
        if (l0 == l1) {
            f = new String[] {"0x" + Long.toHexString(d.locationAddress.get(index))};
        } else {
            f = new String[l1 - l0];
            for (int j = l1 - 1, k = 0; j >= l0; j--, k++) {
                f[k] = functionName(d, d.lineFunction.get(j), d.locationAddress.get(index), locationId, source);
            }
        }
        cache[index] = f;
        return f;
    }

    private static String functionName(ProfileDecoder d, long functionId, long address, long locationId,
            String source) {
        Integer fi = d.functionIndex.get(functionId);
        if (fi == null) {
            if (functionId == 0) {
                return "0x" + Long.toHexString(address);
            }
            throw new BadInputException(source, "location " + locationId + " refers to function " + functionId
                    + ", which the profile does not define (corrupt profile)");
        }
        String name = d.string(d.functionName.get(fi));
        if (name == null || name.isEmpty()) {
            name = d.string(d.functionSystemName.get(fi));
        }
        if (name == null) {
            throw new BadInputException(source, "function " + functionId
                    + " refers to a string the profile does not hold (corrupt profile)");
        }
        return name.isEmpty() ? "0x" + Long.toHexString(address) : clean(name);
    }

    /** A name made safe for a folded line: no frame separator, no line break. */
    private static String clean(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ';' || c == '\n' || c == '\r') {
                return name.replace(';', ':').replace('\n', ' ').replace('\r', ' ');
            }
        }
        return name;
    }

    private static byte[] gunzip(byte[] data, String source) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 1 << 16)) {
            return in.readAllBytes();
        } catch (EOFException e) {
            throw new BadInputException(source, "truncated gzip data: the pprof profile is incomplete");
        } catch (ZipException e) {
            throw new BadInputException(source, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(source, "cannot decompress gzip data (" + e.getMessage() + ")");
        }
    }

    private static String firstSentence(String message) {
        if (message == null) {
            return "invalid protobuf data";
        }
        String m = message.strip();
        int dot = m.indexOf(". ");
        m = dot > 0 ? m.substring(0, dot) : m;
        if (m.startsWith("While parsing a protocol message, the input ended unexpectedly")) {
            return "the input ends inside a field (truncated)";
        }
        return m.replace('\n', ' ');
    }
}
