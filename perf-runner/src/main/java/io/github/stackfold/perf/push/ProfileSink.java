package io.github.stackfold.perf.push;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where profiles go to stay: a continuous-profiling engine such as Pyroscope
 * ({@link PyroscopeSink}) or an OpenTelemetry pipeline ({@link OtlpSink}). {@link #push} returns
 * only when the receiver took the profile; otherwise it throws a {@link PushFailedException} naming
 * the file the profile was kept in. Implementations are thread-safe.
 */
public interface ProfileSink {
    /** Pushes one profile, retrying as the sink's {@link PushOptions} say. */
    void push(LabeledProfile profile) throws IOException;

    /** Where this sink pushes, for messages: {@code pyroscope http://host:4040}. */
    String describe();

    /**
     * Pushes every profile to every sink, going on past a failure, and then throws one
     * {@link PushFailedException} naming each profile not pushed and the file it was kept in (refused
     * when any sink refused). Returns normally only when every push succeeded.
     */
    static void pushAll(List<? extends ProfileSink> sinks, List<LabeledProfile> profiles) throws IOException {
        List<String> failed = new ArrayList<>();
        List<Path> kept = new ArrayList<>();
        boolean refused = false;
        for (LabeledProfile p : profiles) {
            for (ProfileSink sink : sinks) {
                try {
                    sink.push(p);
                } catch (PushFailedException e) {
                    failed.add(e.getMessage());
                    kept.addAll(e.kept());
                    refused |= e.refused();
                }
            }
        }
        if (!failed.isEmpty()) {
            int total = sinks.size() * profiles.size();
            throw new PushFailedException(failed.size() + " of " + total + " pushes failed: "
                    + String.join("; ", failed), kept, refused);
        }
    }
}
