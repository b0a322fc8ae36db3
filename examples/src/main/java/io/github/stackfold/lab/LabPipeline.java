package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Comparison;
import io.github.stackfold.flamegraph.analyze.Markdown;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.diff.DiffOptions;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.html.HtmlOptions;
import io.github.stackfold.flamegraph.html.HtmlRenderer;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The end of the lab's pipeline, shared by {@code flame profile} and {@code flame demo}: from folded
 * stacks to the files the lab asks for and the answers to its questions.
 *
 * <pre>
 * OUTPUT_DIR/apiserver.folded   the folded stacks (input of any other flame command); NAME.folded for
 *                               a program other than kube-apiserver (etcd.folded), see {@link #foldedName}
 * OUTPUT_DIR/flame.svg          the interactive flame graph
 * OUTPUT_DIR/flame.html         the same profile in the HTML viewer (every frame, search, top table, sandwich)
 * OUTPUT_DIR/report.json        the analysis (categories, top functions, hot paths, API calls) + where it came from
 * OUTPUT_DIR/report.md          the same for a person
 * OUTPUT_DIR/diff.svg           with an idle profile: the differential graph idle -> loaded
 * OUTPUT_DIR/idle.folded        with an idle profile: its folded stacks
 * </pre>
 *
 * plus a five-line summary. How the profile was obtained (perf, pprof, a shipped recording) is the
 * caller's business; this class never prints and never records.
 */
public final class LabPipeline {
    /** The name of the folded file of a kube-apiserver profile, as the lab calls its results. */
    public static final String FOLDED = "apiserver.folded";

    /**
     * A profile and where it came from.
     *
     * @param binary the recorded program's name ({@code etcd}, {@code kube-apiserver}: the process's
     *               executable or command name, or a pprof profile's main binary); empty when unknown. The
     *               rules (when none were chosen) and the folded file's name follow it.
     */
    public record Source(FoldedProfile profile, long samples, String description, String binary) {
        public Source {
            Objects.requireNonNull(profile, "profile");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(binary, "binary");
        }

        /** A source whose program is not known (taken to be kube-apiserver). */
        public Source(FoldedProfile profile, long samples, String description) {
            this(profile, samples, description, "");
        }
    }

    /**
     * The folded file's name for a program: {@value #FOLDED} for kube-apiserver, for an unknown program
     * and for a JVM (the repository's apiserver-like demo server); {@code NAME.folded} for any other
     * ({@code etcd.folded}), so that a profile of etcd is never written as the apiserver's.
     */
    public static String foldedName(String binary) {
        String b = binary == null ? "" : binary.strip();
        if (b.isEmpty() || b.equals("kube-apiserver") || b.equals("java") || b.equals("apiserver")) {
            return FOLDED;
        }
        return b.replaceAll("[^A-Za-z0-9._-]", "_") + ".folded";
    }

    /**
     * The built-in rules for a program: etcd's for etcd (its storage is not the apiserver's
     * etcd3-storage), kube-apiserver's otherwise.
     */
    public static Rules rulesFor(String binary) {
        return Rules.forProgram(binary);
    }

    /** What a run wrote and found. */
    public record Result(List<Path> files, Report report, Comparison comparison, List<String> summary) {
        public Result {
            files = List.copyOf(files);
            summary = List.copyOf(summary);
        }
    }

    private final Path outputDir;
    private final Rules rules;
    private final String title;
    private final int top;
    private io.github.stackfold.flamegraph.analyze.RequestMetrics requests;

    /**
     * @param outputDir where the files go (created when missing)
     * @param rules     the analysis' categories, or null for the built-in ones of the recorded program
     *                  ({@link #rulesFor})
     * @param title     the flame graph's title
     * @param top       how many functions and paths the report lists
     */
    public LabPipeline(Path outputDir, Rules rules, String title, int top) {
        this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
        this.rules = rules;
        this.title = Objects.requireNonNull(title, "title");
        this.top = top;
    }

    /**
     * The apiserver's request counts of the profiling window (null: none): the answer on API calls then
     * shares each verb's CPU out by resource, in report.md and report.json ({@code requestMetrics}).
     */
    public LabPipeline requests(io.github.stackfold.flamegraph.analyze.RequestMetrics requestMetrics) {
        this.requests = requestMetrics;
        return this;
    }

    /**
     * Writes the files for {@code loaded}; with {@code idle} (may be null) also the differential graph
     * and the category deltas idle -> loaded.
     */
    public Result write(Source loaded, Source idle) throws IOException {
        Files.createDirectories(outputDir);
        List<Path> files = new ArrayList<>();
        Rules chosen = rules != null ? rules
                : rulesFor(loaded.binary().isEmpty() ? Rules.programOf(loaded.profile()) : loaded.binary());
        Analyzer analyzer = Analyzer.create(new Analyzer.Options(chosen, top));
        Report report = analyzer.analyze(loaded.profile(), loaded.samples());

        Path folded = outputDir.resolve(foldedName(loaded.binary()));
        AtomicOutput.write(folded, loaded.profile()::writeWithHeader);
        files.add(folded);

        Path svg = outputDir.resolve("flame.svg");
        String subtitle = loaded.description() + (report.cannotTell() ? "; " + report.verdict() : "");
        FlameGraphOptions graph = FlameGraphOptions.builder().title(title).subtitle(subtitle).build();
        AtomicOutput.write(svg, out -> FlameGraphRenderer.of(graph).render(loaded.profile(), out));
        files.add(svg);

        Path html = outputDir.resolve("flame.html");
        HtmlOptions viewer = HtmlOptions.builder().title(title).subtitle(loaded.description()).build();
        AtomicOutput.write(html, out -> HtmlRenderer.of(viewer).render(loaded.profile(), out));
        files.add(html);

        Comparison comparison = null;
        if (idle != null) {
            comparison = analyzer.compare(idle.profile(), loaded.profile());
            Path idleFolded = outputDir.resolve("idle.folded");
            AtomicOutput.write(idleFolded, idle.profile()::writeWithHeader);
            files.add(idleFolded);
            Path diff = outputDir.resolve("diff.svg");
            DiffProfile d = DiffProfile.of(idle.profile(), loaded.profile(), DiffOptions.defaults().withNormalize(true));
            FlameGraphOptions diffGraph = FlameGraphOptions.builder().title(title + ": idle -> under load")
                    .subtitle("red grew, blue shrank (idle normalised to the loaded total)").build();
            AtomicOutput.write(diff, out -> FlameGraphRenderer.of(diffGraph).render(FoldedSamples.of(d), out));
            files.add(diff);
        }

        Path json = outputDir.resolve("report.json");
        AtomicOutput.write(json, reportJson(report, comparison, loaded, idle).getBytes(StandardCharsets.UTF_8));
        files.add(json);
        Path md = outputDir.resolve("report.md");
        AtomicOutput.write(md, markdown(report, comparison, loaded, idle, files).getBytes(StandardCharsets.UTF_8));
        files.add(md);
        return new Result(files, report, comparison, summary(report, comparison, loaded, files));
    }

    private String reportJson(Report report, Comparison comparison, Source loaded, Source idle) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(report.toJson());
        ObjectNode source = mapper.createObjectNode();
        source.put("description", loaded.description());
        source.put("title", title);
        if (idle != null) {
            source.put("idle", idle.description());
        }
        root.set("source", source);
        if (comparison != null) {
            root.set("idleComparison", mapper.readTree(comparison.toJson()));
        }
        if (requests != null) {
            root.set("requestMetrics", mapper.readTree(requests.toJson(report)));
        }
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    /** Categories with any share, heaviest exclusive share first. */
    static List<Report.CategoryShare> ranked(Report report) {
        List<Report.CategoryShare> cats = new ArrayList<>(report.categories());
        cats.removeIf(c -> c.exclusive() <= 0 && c.inclusive() <= 0);
        cats.sort(Comparator.comparingDouble(Report.CategoryShare::exclusive).reversed()
                .thenComparing(Comparator.comparingDouble(Report.CategoryShare::inclusive).reversed()));
        return cats;
    }

    private List<String> summary(Report report, Comparison comparison, Source loaded, List<Path> files) {
        List<String> lines = new ArrayList<>();
        lines.add("profiled: " + loaded.description());
        ProfileMeta m = report.meta();
        String cpu = m.hasCpu() ? ProfileMeta.cpu(m.cpuNanos()) + " CPU" + (m.durationNanos() > 0
                ? String.format(Locale.ROOT, " in %.2f s, %.2f cores", m.durationSeconds(), m.cores()) : "") + "; " : "";
        String idleText = "";
        if (comparison != null) {
            String change = comparison.cpuChange();
            idleText = "; idle " + comparison.before().samples() + " samples" + (change == null ? "" : ", " + change)
                    + (comparison.warnings().isEmpty() ? "" : "; warning: " + String.join("; ", comparison.warnings()));
        }
        lines.add(String.format(Locale.ROOT, "samples: %d (%s%d distinct stacks, rules %s%s)", report.samples(), cpu,
                loaded.profile().size(), report.rules(), idleText));
        StringBuilder cats = new StringBuilder("top categories (exclusive CPU): ");
        List<Report.CategoryShare> ranked = new ArrayList<>(ranked(report));
        ranked.removeIf(c -> c.exclusive() <= 0);
        if (report.cannotTell()) {
            cats.append(report.verdict()).append("; ").append(report.remedy()).append("; named part: ");
        }
        if (ranked.isEmpty()) {
            cats.append("none matched (").append(report.unclassifiedShown()).append(" unclassified)");
        }
        for (int i = 0; i < Math.min(4, ranked.size()); i++) {
            Report.CategoryShare c = ranked.get(i);
            // each share with its 95 % margin, as in report.md
            cats.append(i == 0 ? "" : ", ").append(c.name()).append(' ').append(report.withMargin(c.exclusive()));
            if (comparison != null) {
                comparison.category(c.name()).ifPresent(ch -> cats.append(" (").append(ch.exclusive().changeText())
                        .append(" vs idle)"));
            }
        }
        lines.add(cats.toString());
        if (report.hotPaths().isEmpty()) {
            lines.add("hottest path: none");
        } else {
            Report.PathShare p = report.hotPaths().get(0);
            lines.add("hottest path (" + report.withMargin(p.share()) + "): " + shortPath(FrameNames.forReports(report.functions()).apply(p.stack()), 5));
        }
        StringBuilder wrote = new StringBuilder("wrote:");
        for (Path f : files) {
            wrote.append(' ').append(f);
        }
        lines.add(wrote.toString());
        // one line each, whatever a process or frame name holds
        lines.replaceAll(Markdown::line);
        return lines;
    }

    /**
     * report.md's idle-versus-loaded category table (exclusive shares with margins, the change); when a
     * side cannot tell ({@link Report#cannotTell()}), its verdict and remedy first, its shares as lower
     * bounds ({@link Report#shownWithMargin}) and every change "cannot tell".
     */
    static String categoryTable(Comparison comparison) {
        StringBuilder t = new StringBuilder();
        // a side with too many unnamed frames: its shares are lower bounds and no change can be told
        boolean tell = comparison.bothTell();
        for (Report side : List.of(comparison.before(), comparison.after())) {
            if (side.cannotTell()) {
                t.append("**").append(side == comparison.before() ? "Idle" : "Under load").append(":** ")
                        .append(Markdown.text(side.verdict() + "; " + side.remedy())).append(".\n\n");
            }
        }
        t.append("| category | idle | loaded | change |\n| --- | ---: | ---: | ---: |\n");
        for (Comparison.CategoryChange c : comparison.categories()) {
            Comparison.ShareChange e = c.exclusive();
            if (tell && e.before() == 0 && e.after() == 0) {
                continue;
            }
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", Markdown.text(c.name()),
                    Markdown.text(comparison.before().shownWithMargin(e.before())),
                    Markdown.text(comparison.after().shownWithMargin(e.after())),
                    tell ? e.changeText() : "cannot tell"));
        }
        return t.toString();
    }

    private String markdown(Report report, Comparison comparison, Source loaded, Source idle, List<Path> files) {
        StringBuilder md = new StringBuilder();
        // names from the profile and the process (a comm may hold '<', '|', a backtick, a line break) are
        // escaped (Markdown): tables stay tables, nothing becomes markup
        md.append("# ").append(Markdown.text(title)).append("\n\n");
        md.append("Profiled: ").append(Markdown.text(loaded.description())).append(".  \n");
        if (idle != null) {
            md.append("Idle baseline: ").append(Markdown.text(idle.description())).append(".  \n");
        }
        md.append(String.format(Locale.ROOT, "Samples: %s; weights in %s (total %d), %d distinct stacks, categories from the %s rules.%n%n",
                describe(report), report.meta().unitText(), report.total(), loaded.profile().size(), Markdown.code(report.rules())));
        md.append("Files: ");
        for (int i = 0; i < files.size(); i++) {
            String n = files.get(i).getFileName().toString();
            md.append(i == 0 ? "" : ", ").append('[').append(n).append("](").append(n).append(')');
        }
        md.append(".\n\n");

        md.append(io.github.stackfold.flamegraph.analyze.Answers.of(report, comparison).withRequests(requests).toMarkdown()).append('\n');
        md.append("## Unnamed frames\n\n");
        md.append("Samples with an unnamed frame (`[unknown]`, `[binary]`, a raw address): ").append(pct(report.unnamedShare()));
        if (!report.unnamedByBinary().isEmpty()) {
            md.append(" (");
            int k = 0;
            for (var e : report.unnamedByBinary().entrySet()) {
                md.append(k++ == 0 ? "" : ", ").append(Markdown.text(e.getKey())).append(' ').append(pct(e.getValue()));
            }
            md.append(')');
        }
        md.append(".\n\n");
        if (report.cannotTell()) {
            md.append("**").append(Markdown.text(report.verdict())).append(".** The category, verb and resource shares below count ")
                    .append("only the named frames: the work they stand for may sit in the unnamed ones, so a share ")
                    .append("of 0 reads \"cannot tell\", not 0.0 %. To ").append(Markdown.text(report.remedy())).append(".\n\n");
        }
        md.append("## CPU by category\n\n");
        md.append("Exclusive: each sample counts for the category of its leaf-most classified frame. ")
                .append("Inclusive: for every category in its stack.\n\n");
        md.append("| category | exclusive | inclusive |\n| --- | ---: | ---: |\n");
        List<Report.CategoryShare> shownCats = report.cannotTell() ? report.categories() : ranked(report);
        for (Report.CategoryShare c : shownCats) {
            md.append("| ").append(Markdown.text(c.name())).append(" | ").append(report.shownWithMargin(c.exclusive())).append(" | ")
                    .append(report.shownWithMargin(c.inclusive())).append(" |\n");
        }
        md.append("| (unclassified) | ").append(Markdown.text(report.unclassifiedShown())).append(" | |\n\n");

        if (comparison != null) {
            md.append("## Idle versus under load\n\n");
            md.append(String.format(Locale.ROOT, "Idle: %s. Under load: %s.", describe(comparison.before()),
                    describe(comparison.after())));
            String cpu = comparison.cpuChange();
            md.append(cpu == null ? "\n\n" : " " + cpu + ".\n\n");
            for (String w : comparison.warnings()) {
                md.append("**Warning:** ").append(Markdown.text(w)).append(".\n\n");
            }
            md.append("Shares of each profile's own samples, with 95 % margins (Wilson interval; a change's as docs/analyze.md says); a change marked ~ is inside "
                    + "the noise (smaller than its margin).\n\n");
            md.append(categoryTable(comparison));
            md.append("\nFunctions that grew most (self share), surest first:\n\n");
            for (Comparison.FunctionChange f : comparison.grewMost()) {
                md.append(String.format(Locale.ROOT, "- %s (z = %.2f) %s%n", f.self().changeText(), f.self().z(),
                        Markdown.code(f.name())));
            }
            md.append('\n');
        }

        md.append("## Hottest paths\n\nLeaf first.\n\n");
        for (Report.PathShare p : report.hotPaths()) {
            md.append("- ").append(report.withMargin(p.share())).append(' ').append(Markdown.code(shortPath(p.stack(), Integer.MAX_VALUE))).append('\n');
        }
        md.append("\n## Functions by self share\n\n");
        for (Report.FunctionShare f : report.topSelf()) {
            md.append("- ").append(report.withMargin(f.share())).append(' ').append(Markdown.code(f.name())).append('\n');
        }
        md.append("\n## Functions by inclusive share\n\n");
        for (Report.FunctionShare f : report.topInclusive()) {
            md.append("- ").append(report.withMargin(f.share())).append(' ').append(Markdown.code(f.name())).append('\n');
        }
        md.append("\n## API calls\n\n");
        if (report.apiCalls().isEmpty()) {
            md.append(report.cannotTell() ? Markdown.text(report.verdict()) + ": no API handler frame can be seen.\n"
                    : "No API handler frames in these stacks.\n");
        } else {
            md.append("Share of all samples inside an API handler: ").append(report.withMargin(report.apiCallsTotal())).append(".\n\n");
            md.append("| verb | resource | share |\n| --- | --- | ---: |\n");
            for (Report.ApiCallShare a : report.apiCalls()) {
                md.append("| ").append(Markdown.text(a.verb())).append(" | ").append(Markdown.text(a.resource())).append(" | ")
                        .append(report.shownWithMargin(a.share())).append(" |\n");
            }
        }
        return md.toString();
    }

    /** {@code 199 samples, 1.99 s CPU in 30.06 s (0.07 cores), event cpu}. */
    static String describe(Report r) {
        return r.meta().withSamples(r.samples()).describe(r.total());
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** A stack leaf first, at most {@code keep} frames, as text. */
    static String shortPath(String stack, int keep) {
        List<String> frames = new ArrayList<>(FoldedProfile.frames(stack));
        java.util.Collections.reverse(frames);
        if (frames.size() <= keep) {
            return String.join(" <- ", frames);
        }
        return String.join(" <- ", frames.subList(0, keep)) + " <- ... (" + (frames.size() - keep) + " more)";
    }
}
