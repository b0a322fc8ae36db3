package io.github.stackfold.perf.push;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Function;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Mapping;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import io.opentelemetry.proto.profiles.v1development.Stack;
import io.opentelemetry.proto.profiles.v1development.ValueType;
import io.opentelemetry.proto.resource.v1.Resource;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Pushes to an OpenTelemetry pipeline over OTLP/HTTP: {@code POST /v1development/profiles} with an
 * {@code ExportProfilesServiceRequest} ({@code Content-Type: application/x-protobuf}), the messages
 * of the published {@code io.opentelemetry.proto:opentelemetry-proto} 1.11.0-alpha (profiles
 * {@code v1development}: one dictionary of strings, functions, locations and stacks shared by the
 * request). What one profile becomes:
 *
 * <pre>
 * resource_profiles[0].resource.attributes  service.name=kube-apiserver, service.instance.id=10.0.0.2:6443,
 *                                           service.version=v1.31.0, k8s.cluster.name=prod, and every other label
 * scope_profiles[0].scope                   stackfold
 * profiles[0]  sample_type cpu/nanoseconds, period_type cpu/nanoseconds, period 10000000 (100 Hz),
 *              time_unix_nano, duration_nano, a random profile_id
 *   samples    one per folded stack: stack_index, values [weight]
 * dictionary   string_table[0] "", and index 0 of every table the empty entry, as the spec asks;
 *              a frame is a function (its name), a location with one line calling it; a stack lists
 *              its locations leaf first
 * </pre>
 *
 * A 2xx whose {@code partial_success} rejected the profile is a failure like a 4xx: the profile is
 * kept and named. Given a URL with a path other than {@code /}, that path is used as it is.
 */
public final class OtlpSink implements ProfileSink {
    /** The OTLP/HTTP path of the profiles signal. */
    public static final String PATH = "/v1development/profiles";

    private static final Map<String, String> SEMANTIC = Map.of("instance", "service.instance.id",
            "version", "service.version", "cluster", "k8s.cluster.name");

    private final URI endpoint;
    private final HttpPush http;

    private OtlpSink(URI endpoint, HttpPush http) {
        this.endpoint = endpoint;
        this.http = http;
    }

    /** A sink for the OTLP/HTTP receiver at {@code url}, e.g. {@code http://collector:4318}. */
    public static OtlpSink of(URI url, PushOptions options) {
        HttpPush.checkUrl(url, "OTLP");
        String path = url.getRawPath();
        URI endpoint = path == null || path.isEmpty() || path.equals("/")
                ? URI.create(url.getScheme() + "://" + url.getRawAuthority() + PATH) : url;
        return new OtlpSink(endpoint, new HttpPush(options));
    }

    /** The URL posted to. */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String describe() {
        return "otlp " + endpoint;
    }

    @Override
    public void push(LabeledProfile p) throws IOException {
        byte[] answer = http.post(describe(), p, endpoint, "application/x-protobuf", request(p).toByteArray());
        ExportProfilesServiceResponse r;
        try {
            r = ExportProfilesServiceResponse.parseFrom(answer);
        } catch (InvalidProtocolBufferException e) {
            // a receiver that answers 2xx with another body (JSON, nothing) took the profile
            return;
        }
        if (r.hasPartialSuccess() && r.getPartialSuccess().getRejectedProfiles() > 0) {
            throw http.fail(describe(), p, "the receiver rejected " + r.getPartialSuccess().getRejectedProfiles()
                    + " profile(s): " + r.getPartialSuccess().getErrorMessage(), true);
        }
    }

    /** The request that {@link #push} sends for {@code p}. */
    public static ExportProfilesServiceRequest request(LabeledProfile p) {
        Dictionary d = new Dictionary();
        long period = 1_000_000_000L / p.sampleRate();
        Profile.Builder profile = Profile.newBuilder()
                .setSampleType(d.valueType(p.type(), p.unit()))
                .setPeriodType(d.valueType("cpu", "nanoseconds"))
                .setPeriod(period)
                .setTimeUnixNano(p.from().getEpochSecond() * 1_000_000_000L + p.from().getNano())
                .setDurationNano(Math.max(0, Duration.between(p.from(), p.until()).toNanos()))
                .setProfileId(profileId());
        FoldedProfile f = p.folded();
        for (int i = 0; i < f.size(); i++) {
            profile.addSamples(Sample.newBuilder().setStackIndex(d.stack(f.stack(i))).addValues(f.count(i)));
        }
        Resource.Builder resource = Resource.newBuilder().addAttributes(attribute("service.name", p.app()));
        p.labels().forEach((k, v) -> resource.addAttributes(attribute(SEMANTIC.getOrDefault(k, k), v)));
        return ExportProfilesServiceRequest.newBuilder()
                .addResourceProfiles(ResourceProfiles.newBuilder()
                        .setResource(resource)
                        .addScopeProfiles(ScopeProfiles.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("stackfold"))
                                .addProfiles(profile)))
                .setDictionary(d.build())
                .build();
    }

    private static ByteString profileId() {
        UUID u = UUID.randomUUID();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
        b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return ByteString.copyFrom(b.array());
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    /** The request's tables; index 0 of each is the empty entry. */
    private static final class Dictionary {
        private final ProfilesDictionary.Builder b = ProfilesDictionary.newBuilder()
                .addStringTable("")
                .addMappingTable(Mapping.getDefaultInstance())
                .addLocationTable(Location.getDefaultInstance())
                .addFunctionTable(Function.getDefaultInstance())
                .addStackTable(Stack.getDefaultInstance())
                .addAttributeTable(KeyValueAndUnit.getDefaultInstance());
        private final Map<String, Integer> strings = new HashMap<>(Map.of("", 0));
        private final Map<String, Integer> locations = new HashMap<>();

        int string(String s) {
            return strings.computeIfAbsent(s, k -> {
                b.addStringTable(k);
                return b.getStringTableCount() - 1;
            });
        }

        ValueType valueType(String type, String unit) {
            return ValueType.newBuilder().setTypeStrindex(string(type)).setUnitStrindex(string(unit)).build();
        }

        /** The location of a raw frame name (one function, one line). */
        int location(String rawFrame) {
            return locations.computeIfAbsent(rawFrame, k -> {
                b.addFunctionTable(Function.newBuilder().setNameStrindex(string(FoldedProfile.decode(k))));
                b.addLocationTable(Location.newBuilder()
                        .addLines(Line.newBuilder().setFunctionIndex(b.getFunctionTableCount() - 1)));
                return b.getLocationTableCount() - 1;
            });
        }

        /** A new stack entry for a raw folded stack (distinct stacks are distinct entries). */
        int stack(String rawStack) {
            List<String> frames = FoldedProfile.frames(rawStack);
            Stack.Builder s = Stack.newBuilder();
            for (int i = frames.size() - 1; i >= 0; i--) {
                s.addLocationIndices(location(frames.get(i)));
            }
            b.addStackTable(s);
            return b.getStackTableCount() - 1;
        }

        ProfilesDictionary build() {
            return b.build();
        }
    }
}
