package io.github.stackfold.flamegraph.export;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an {@link ExportProfile} in speedscope's JSON file format (the schema published at
 * {@code https://www.speedscope.app/file-format-schema.json}), as sampled profiles: frames shared,
 * each profile a list of stacks (frame indexes, root first) with a weight each. When the stacks' first
 * frames name processes or threads ({@link ExportProfile#threadsInFirstFrame()}), there is one profile
 * per process or thread, named by it, and the active one (the one speedscope shows first) is the
 * heaviest; otherwise one profile.
 *
 * <pre>
 * {"$schema":"https://www.speedscope.app/file-format-schema.json",
 *  "shared":{"frames":[{"name":"main"},{"name":"parse"}]},
 *  "profiles":[{"type":"sampled","name":"profile","unit":"none","startValue":0,"endValue":5,
 *               "samples":[[0,1],[0]],"weights":[3,2]}],
 *  "name":"profile","activeProfileIndex":0,"exporter":"stackfold"}
 * </pre>
 *
 * The unit is speedscope's: {@code nanoseconds}, {@code microseconds}, {@code milliseconds},
 * {@code seconds} or {@code bytes} when the value's unit is one of these, else {@code none}. Stateless.
 */
public final class SpeedscopeWriter {
    static final String SCHEMA = "https://www.speedscope.app/file-format-schema.json";
    private static final Set<String> UNITS = Set.of("nanoseconds", "microseconds", "milliseconds", "seconds", "bytes");

    private SpeedscopeWriter() {
    }

    /** Writes the file; the stream is flushed, not closed. */
    public static void write(ExportProfile p, ExportProfile.Value value, String name, OutputStream out) throws IOException {
        int k = p.index(value);
        ExportProfile.ValueType type = p.types().get(k);
        Map<String, Integer> frameIds = new HashMap<>();
        List<String> frames = new ArrayList<>();
        Map<String, List<int[]>> stacks = new LinkedHashMap<>();
        Map<String, List<Long>> weights = new LinkedHashMap<>();
        boolean threads = p.threadsInFirstFrame();
        for (int i = 0; i < p.size(); i++) {
            long w = p.value(k, i);
            if (w == 0) {
                continue;
            }
            List<String> fs = FoldedProfile.frames(p.stack(i));
            String profile = threads ? FoldedProfile.decode(fs.get(0)) : name;
            List<String> own = threads && fs.size() > 1 ? fs.subList(1, fs.size()) : fs;
            int[] ids = new int[own.size()];
            for (int f = 0; f < ids.length; f++) {
                String n = FoldedProfile.decode(own.get(f));
                Integer id = frameIds.get(n);
                if (id == null) {
                    id = frames.size();
                    frameIds.put(n, id);
                    frames.add(n);
                }
                ids[f] = id;
            }
            stacks.computeIfAbsent(profile, x -> new ArrayList<>()).add(ids);
            weights.computeIfAbsent(profile, x -> new ArrayList<>()).add(w);
        }
        String unit = UNITS.contains(type.unit()) ? type.unit() : "none";
        // speedscope opens the active profile: the heaviest one, not the first by name (an exiting task's one sample)
        int active = 0;
        long heaviest = -1;
        int at = 0;
        for (List<Long> ws : weights.values()) {
            long total = 0;
            for (long w : ws) {
                total += w;
            }
            if (total > heaviest) {
                heaviest = total;
                active = at;
            }
            at++;
        }
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeStringField("$schema", SCHEMA);
            g.writeObjectFieldStart("shared");
            g.writeArrayFieldStart("frames");
            for (String f : frames) {
                g.writeStartObject();
                g.writeStringField("name", f);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeArrayFieldStart("profiles");
            for (Map.Entry<String, List<int[]>> e : stacks.entrySet()) {
                List<Long> ws = weights.get(e.getKey());
                long total = 0;
                for (long w : ws) {
                    total += w;
                }
                g.writeStartObject();
                g.writeStringField("type", "sampled");
                g.writeStringField("name", e.getKey());
                g.writeStringField("unit", unit);
                g.writeNumberField("startValue", 0);
                g.writeNumberField("endValue", total);
                g.writeArrayFieldStart("samples");
                for (int[] s : e.getValue()) {
                    g.writeArray(s, 0, s.length);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("weights");
                for (long w : ws) {
                    g.writeNumber(w);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("name", name);
            g.writeNumberField("activeProfileIndex", active);
            g.writeStringField("exporter", "stackfold");
            g.writeEndObject();
        }
        out.flush();
    }
}
