package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class FlameCliTest {

    @Test
    void unknownOptionIsAUsageErrorOnOneLineWithoutStackTrace() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"--no-such-option"}, new ByteArrayInputStream(new byte[0]), out, err);
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(e).startsWith("flame: ").doesNotContain("\tat ");
        assertThat(out.size()).isZero();
    }

    /** The subcommands as registered, in the order of the help. */
    static final List<String> SUBCOMMANDS = List.of(
            "help", "analyze", "compare", "collapse", "flamegraph", "html", "export", "diff", "pprof", "record", "profile",
            "demo", "push");

    @Test
    void everySubcommandIsRegisteredOnceInTheOrderOfTheHelp() {
        java.io.PrintWriter sink = new java.io.PrintWriter(new ByteArrayOutputStream());
        picocli.CommandLine cl = FlameCli.commandLine(new FlameCli(null, null, sink), sink, sink);
        assertThat(cl.getSubcommands().keySet()).containsExactlyElementsOf(SUBCOMMANDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"--help"}, new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
        assertThat(code).isZero();
        for (String name : SUBCOMMANDS) {
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("  " + name + " ");
        }
    }

    /** flame pprof --push names no program of the profile (PushFlags.app()); its help must not say it does. */
    @Test
    void theAppDefaultInTheHelpIsKubeApiserverForPprofAndTheProfiledProgramForPush() {
        for (String name : List.of("pprof", "push")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            FlameCli.run(new String[] {name, "--help"}, new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
            String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
            assertThat(help).as(name).contains("--app=NAME The application name profiles are pushed under (default: for"
                    + " flame push, the program the profile names: a pprof profile's main binary, the one process of"
                    + " perf input, else kube-apiserver; for flame pprof, kube-apiserver).");
        }
    }

    @Test
    void aMissingChoiceOfArgumentsIsOneFlameMessageWithoutPicocliSError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"pprof", "--seconds", "1"}, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), err);
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse(""))
                .isEqualTo("flame: Missing required argument (specify one of these): (--url=URL | --kubectl)");
    }

    @Test
    void aMistypedCommandSuggestsTheClosestOneAsAUsageError() {
        for (String[] typo : new String[][] {{"analyse", "analyze"}, {"colapse", "collapse"}, {"flamegrap", "flamegraph"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = FlameCli.run(new String[] {typo[0], "x"}, new ByteArrayInputStream(new byte[0]),
                    new ByteArrayOutputStream(), err);
            String e = err.toString(StandardCharsets.UTF_8);
            assertThat(code).as(e).isEqualTo(ExitCodes.USAGE);
            assertThat(e).contains("'" + typo[0] + "'").contains("Did you mean").contains(typo[1]).doesNotContain("\tat ");
        }
    }

    @Test
    void everyCommandPrintsTheVersion() {
        for (String name : SUBCOMMANDS) {
            if (name.equals("help")) {
                continue;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = FlameCli.run(new String[] {name, "--version"}, new ByteArrayInputStream(new byte[0]), out,
                    new ByteArrayOutputStream());
            assertThat(code).as(name).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).as(name).startsWith("flame ");
        }
    }

    @Test
    void brokenPipeEndsQuietly() {
        assertThat(FlameCli.isBrokenPipe(new java.io.IOException("Broken pipe"))).isTrue();
        assertThat(FlameCli.isBrokenPipe(new java.io.IOException("No space left on device"))).isFalse();
    }

    @Test
    void aProfileFromPprofNeedsKubectlOrAUrlAndSaysSoAsAUsageError() {
        String[][] cases = {{"--pprof="}, {"--pprof", "--bogus"}, {"--pprof", "http://bad host/x"}};
        for (String[] flags : cases) {
            String[] args = new String[flags.length + 1];
            args[0] = "profile";
            System.arraycopy(flags, 0, args, 1, flags.length);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = FlameCli.run(args, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), err);
            String e = err.toString(StandardCharsets.UTF_8);
            assertThat(code).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
            assertThat(e).as(String.join(" ", args)).startsWith("flame: --pprof ").doesNotContain("internal error")
                    .hasLineCount(1);
        }
    }

    @Test
    void everyHelpFormatsWithoutPicocliWarnings() {
        // picocli formats descriptions with String.format: a lone % made it print three warnings to
        // System.err before the flamegraph help
        java.io.PrintStream saved = System.err;
        ByteArrayOutputStream traced = new ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(traced, true, StandardCharsets.UTF_8));
        try {
            for (String name : SUBCOMMANDS) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code = FlameCli.run(new String[] {name, "--help"}, new ByteArrayInputStream(new byte[0]), out, err);
                assertThat(code).as(name).isZero();
                assertThat(out.toString(StandardCharsets.UTF_8)).as(name).contains("Usage: flame " + name);
                assertThat(err.toString(StandardCharsets.UTF_8) + traced.toString(StandardCharsets.UTF_8)).as(name).isEmpty();
            }
        } finally {
            System.setErr(saved);
        }
    }

    /**
     * Every description of every command shows whole in its help: picocli wraps lines where the text
     * allows a break, and a description whose words it cut ("DIR/flame.", "svg") reads as two.
     * Descriptions are full sentences in one style: capitalised (or starting with a literal value),
     * ending with a full stop.
     */
    @Test
    void everyHelpShowsEachDescriptionWholeWithoutAWordCut() {
        java.io.PrintWriter sink = new java.io.PrintWriter(new ByteArrayOutputStream());
        picocli.CommandLine root = FlameCli.commandLine(new FlameCli(null, null, sink), sink, sink);
        String list = collapse(root.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF));
        for (picocli.CommandLine c : root.getSubcommands().values()) {
            // the list of commands shows each one's header, else its first description line
            picocli.CommandLine.Model.UsageMessageSpec usage = c.getCommandSpec().usageMessage();
            String first = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
            assertThat(list).as("flame --help: " + c.getCommandName()).contains(collapse(first));
            String name = c.getCommandName();
            String help = collapse(c.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF));
            java.util.List<String> texts = new java.util.ArrayList<>();
            for (String d : c.getCommandSpec().usageMessage().description()) {
                texts.add(d);
            }
            for (picocli.CommandLine.Model.ArgSpec a : c.getCommandSpec().args()) {
                if (a.hidden()) {
                    continue; // not in the help (html's flags that only shape the SVG)
                }
                texts.add(String.join(" ", a.renderedDescription()));
                if (a.isOption() && !name.equals("help")) {
                    assertThat(String.join(" ", a.renderedDescription()).strip()).as(name + " " + a).endsWith(".");
                }
            }
            for (String t : texts) {
                String whole = collapse(t.replace("%n", " ").replace("%%", "%"));
                if (!whole.isEmpty()) {
                    assertThat(help).as(name + ": a description cut in its help").contains(whole);
                }
            }
        }
    }

    /**
     * The exit codes under each help are one paragraph wrapped once, to the help's 80 columns: no line
     * is longer, and no line ends where the next line's first word would still have fitted (as when
     * lines of the footer's own were each wrapped again: "... 3 a tool is" / "missing;" / "4 not ...").
     */
    @Test
    void theExitCodesUnderEachHelpAreWrappedOnceToTheWidth() {
        List<String> commands = new java.util.ArrayList<>(List.of(""));
        commands.addAll(SUBCOMMANDS.subList(1, SUBCOMMANDS.size()));
        int footers = 0;
        for (String name : commands) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String[] args = name.isEmpty() ? new String[] {"--help"} : new String[] {name, "--help"};
            FlameCli.run(args, new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).as("flame " + name + " --help").allMatch(l -> l.length() <= 80);
            int from = -1;
            for (int i = 0; i < lines.size() && from < 0; i++) {
                from = lines.get(i).startsWith("Exit codes:") ? i : -1;
            }
            if (from < 0) {
                continue;
            }
            footers++;
            for (int i = from; i + 1 < lines.size() && !lines.get(i + 1).isBlank(); i++) {
                String next = lines.get(i + 1).strip().split(" ")[0];
                assertThat(lines.get(i).length() + 1 + next.length()).as("flame " + name + " --help: '" + lines.get(i)
                        + "' ends before '" + next + "', which fits").isGreaterThanOrEqualTo(80);
            }
        }
        assertThat(footers).as("helps with exit codes: flame, collapse, record").isGreaterThanOrEqualTo(3);
    }

    /** Every command that reads a profile names perf.data among what it reads (they all read it, without perf). */
    @Test
    void everyHelpOfACommandThatReadsProfilesNamesPerfData() {
        for (String name : List.of("analyze", "collapse", "flamegraph", "html", "export", "diff")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            FlameCli.run(new String[] {name, "--help"}, new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
            String help = out.toString(StandardCharsets.UTF_8);
            assertThat(help.substring(help.indexOf("Usage:"))).as(name).contains("perf.data");
        }
    }

    /**
     * flame html's help lists no flag it refuses (those of the flame graph that only shape the SVG), and
     * one given is still refused by name.
     */
    @Test
    void htmlsHelpListsNoFlagItRefuses() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FlameCli.run(new String[] {"html", "--help"}, new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help).contains("--title=TEXT").contains("--minwidth=NUM[%]").contains("--inverted").contains("--heatmap");
        // nor names one in another flag's text, and --minwidth says the file keeps every frame
        assertThat(help).doesNotContain("--flamechart").doesNotContain("Omit frames");
        assertThat(collapse(help)).contains("until zoomed in; the file keeps every frame (default: 0.1)")
                .contains("Title (default \"Flame Graph\", with --inverted too; \"Differential Flame Graph\" for flame diff output)")
                .contains("What the counts are (default: samples; ns for CPU time, or the event,");
        for (String svgOnly : HtmlCommand.SVG_ONLY) {
            assertThat(help).as("flame html --help").doesNotContain(svgOnly + "=").doesNotContain(svgOnly + " ")
                    .doesNotContain(svgOnly + "\n").doesNotContain(svgOnly + ",");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            boolean flag = List.of("--hash", "--random", "--reverse", "--flamechart", "--negate").contains(svgOnly);
            String[] args = flag ? new String[] {"html", svgOnly, "-"} : new String[] {"html", svgOnly, "1", "-"};
            int code = FlameCli.run(args, new ByteArrayInputStream("a;b 1\n".getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayOutputStream(), err);
            assertThat(code).as(svgOnly).isEqualTo(ExitCodes.USAGE);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(svgOnly)
                    .startsWith("flame: " + svgOnly + " shapes the SVG only; flame html does not take it");
        }
        // flamegraph keeps them all
        ByteArrayOutputStream fg = new ByteArrayOutputStream();
        FlameCli.run(new String[] {"flamegraph", "--help"}, new ByteArrayInputStream(new byte[0]), fg, new ByteArrayOutputStream());
        for (String svgOnly : HtmlCommand.SVG_ONLY) {
            assertThat(fg.toString(StandardCharsets.UTF_8)).as("flamegraph --help").contains(svgOnly);
        }
    }

    private static String collapse(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
