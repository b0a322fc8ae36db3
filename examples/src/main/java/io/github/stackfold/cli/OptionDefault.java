package io.github.stackfold.cli;

import picocli.CommandLine;

/**
 * A command's own default for one shared option ({@code @Command(defaultValueProvider = ...)}), where
 * it differs from the mixin's: picocli uses it when the option is not given and shows it as
 * {@code ${DEFAULT-VALUE}} in the help. Subclass with a no-argument constructor, e.g.
 * {@code static final class Defaults extends OptionDefault { Defaults() { super("--output-dir", "."); } }}.
 */
abstract class OptionDefault implements CommandLine.IDefaultValueProvider {
    private final String option;
    private final String value;

    OptionDefault(String option, String value) {
        this.option = option;
        this.value = value;
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        return arg.isOption() && ((CommandLine.Model.OptionSpec) arg).longestName().equals(option) ? value : null;
    }
}
