package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

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

    @Test
    void eachSubcommandIsRegisteredUnderItsOwnName() {
        java.io.PrintWriter sink = new java.io.PrintWriter(new ByteArrayOutputStream());
        for (String name : FlameCli.SUBCOMMANDS) {
            picocli.CommandLine c = new picocli.CommandLine(FlameCli.subcommand(name, new FlameCli(null, null, sink)));
            assertThat(c.getCommandName()).isEqualTo(name);
        }
    }

    @Test
    void helpListsEverySubcommandAndARunBuildsOnlyItsOwn() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"--help"}, new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
        assertThat(code).isZero();
        for (String name : FlameCli.SUBCOMMANDS) {
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("  " + name + " ");
        }
        java.io.PrintWriter sink = new java.io.PrintWriter(new ByteArrayOutputStream());
        picocli.CommandLine cl = FlameCli.commandLine(new FlameCli(null, null, sink), sink, sink, "collapse", "x");
        assertThat(cl.getSubcommands().keySet()).containsExactly("collapse");
        picocli.CommandLine typo = FlameCli.commandLine(new FlameCli(null, null, sink), sink, sink, "colapse");
        assertThat(typo.getSubcommands().keySet()).containsExactlyElementsOf(FlameCli.SUBCOMMANDS);
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
            for (String name : FlameCli.SUBCOMMANDS) {
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
}
