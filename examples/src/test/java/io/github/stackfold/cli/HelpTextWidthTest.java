package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every {@code --help} at 80 columns: no line wider, and every header, description and option text
 * found whole in it once the line breaks are undone, so no word is split across lines (picocli's line
 * breaking may break after {@code -}, {@code :} or {@code /}: {@code kube-} / {@code apiserver}) and
 * no sentence is cut.
 */
class HelpTextWidthTest {
    static final int WIDTH = 80;

    private static String normalized(String s) {
        return s.replace("%n", " ").replace("%%", "%").replaceAll("\\s+", " ").strip();
    }

    private static void collect(CommandLine cl, List<CommandLine> all) {
        all.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!all.contains(sub)) {
                collect(sub, all);
            }
        }
    }

    @Test
    void everyHelpFitsEightyColumnsWithNoWordSplitAndNoTextCut() {
        PrintWriter sink = new PrintWriter(new ByteArrayOutputStream());
        CommandLine root = FlameCli.commandLine(new FlameCli(null, null, sink), sink, sink);
        List<CommandLine> all = new ArrayList<>();
        collect(root, all);
        assertThat(all.size()).isGreaterThan(10);
        List<String> problems = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (CommandLine cl : all) {
            cl.setUsageHelpWidth(WIDTH);
            cl.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
            String help = cl.getUsageMessage();
            String name = cl.getCommandSpec().qualifiedName();
            for (String line : help.split("\n", -1)) {
                if (line.length() > WIDTH) {
                    problems.add(name + ": " + line.length() + " columns: " + line);
                }
            }
            String flat = " " + normalized(help) + " ";
            CommandSpec spec = cl.getCommandSpec();
            List<String> texts = new ArrayList<>();
            texts.add(String.join(" ", spec.usageMessage().header()));
            for (String paragraph : spec.usageMessage().description()) {
                texts.add(paragraph);
            }
            for (ArgSpec arg : spec.args()) {
                if (!arg.hidden()) {
                    String d = String.join(" ", arg.description());
                    d = d.replace("${DEFAULT-VALUE}", String.valueOf(arg.defaultValueString()));
                    if (arg.completionCandidates() != null) {
                        List<String> c = new ArrayList<>();
                        arg.completionCandidates().forEach(c::add);
                        d = d.replace("${COMPLETION-CANDIDATES}", String.join(", ", c));
                    }
                    texts.add(d);
                }
            }
            for (String text : texts) {
                String t = normalized(text);
                if (t.contains("${")) {
                    skipped.add(name + ": " + t);
                    continue; // another variable picocli fills in: checked through the lines' widths only
                }
                if (!t.isEmpty() && !flat.contains(" " + t + " ") && !flat.contains(" " + t)) {
                    problems.add(name + ": not found whole (a word split or the text cut): " + t);
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(skipped).as("texts with variables the test cannot fill in").isEmpty();
    }
}
