package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The real recording shipped in the repository for machines where perf cannot record:
 * {@code perf script} text (xz) of the apiserver-like demo server under load, recorded with perf by
 * {@code flame demo --target jvm --keep} on a development machine (see {@code demo-recording.txt}
 * beside it for when and how). It is rendered through the same pipeline and labelled as what it is.
 */
final class ShippedRecording {
    static final String RESOURCE = "demo-recording.perf-script.xz";
    static final String ABOUT = "demo-recording.txt";

    private ShippedRecording() {
    }

    /** The shipped recording's folded stacks and its sample count (one count per sample; the cpu-clock periods' sum is in its metadata). */
    static LabPipeline.Source load(String description) throws IOException {
        AtomicLong samples = new AtomicLong(-1);
        CollapseListener counter = new CollapseListener() {
            @Override
            public void finished(CollapseStats stats) {
                samples.set(stats.samples());
            }
        };
        ProfileLoader loader = ProfileLoader.builder()
                .perfScript(PerfCollapser.create(CollapseOptions.builder().countSamples(true).listener(counter).build())::collapse).build();
        try (InputStream in = open(RESOURCE)) {
            FoldedProfile p = loader.load(in, RESOURCE);
            return new LabPipeline.Source(p, samples.get(), description);
        }
    }

    /** One line on how the recording was made. */
    static String about() throws IOException {
        try (InputStream in = open(ABOUT)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
        }
    }

    static LabPipeline.Result render(Path outputDir, Consumer<String> say) throws IOException {
        String about = about();
        say.accept("shipped recording: " + about);
        Rules rules = JvmDemoTarget.demoServerRules();
        LabPipeline.Source s = load("the recording shipped in the repository (NOT a live profile of this machine): " + about);
        return new LabPipeline(outputDir, rules, "flame demo: shipped recording of the apiserver-like demo server", 10).write(s, null);
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = ShippedRecording.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " is missing from the class path");
        }
        return in;
    }
}
