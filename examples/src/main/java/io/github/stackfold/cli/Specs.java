package io.github.stackfold.cli;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Builds the commands' picocli models in code. The commands declare their options with picocli's
 * programmatic API rather than its annotations because of start-up time: reading annotations makes
 * the JVM generate a proxy class for each annotation type, and picocli, for every annotated class,
 * also scans {@code java.lang.Object}'s methods for {@code @Command} methods, which parses the JDK's
 * own annotations and generates proxies for them too: nine proxy classes in a {@code flame collapse}
 * run, a third of picocli's set-up in a profile. Built in code, a 100 KB collapse went from 166 to
 * 126 ms (medians of 15; the README's performance section has the rest).
 *
 * <p>A command keeps its flags in fields, fills them from its model when it runs ({@link #flag},
 * {@link #value}), and declares each option once, with its default value as text, so that the help
 * shows it ({@code ${DEFAULT-VALUE}}) and picocli converts it as it would a value on the command line.
 */
final class Specs {
    private Specs() {
    }

    /**
     * The model of a command run by {@code command} (a {@code Callable} or {@code Runnable}); add its
     * options, then {@link #withHelpOptions}.
     */
    static CommandSpec command(Object command, String name, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command, FACTORY).name(name);
        spec.usageMessage().description(description);
        return spec;
    }

    /**
     * What picocli creates objects with (the help command, collections for options with several
     * values), in place of its default factory: that one's class initialiser looks for Groovy's
     * {@code groovy.lang.Closure}, and the failed lookup opens and indexes flame.jar (4,700 entries),
     * where a run otherwise finds every class it needs in the launcher's class-data archive.
     */
    static final CommandLine.IFactory FACTORY = new Factory();

    private static final class Factory implements CommandLine.IFactory {
        @Override
        @SuppressWarnings("unchecked")
        public <K> K create(Class<K> type) throws Exception {
            if (type.isInterface() && Collection.class.isAssignableFrom(type)) {
                return (K) collection(type);
            }
            if (type.isInterface() && Map.class.isAssignableFrom(type)) {
                return (K) (SortedMap.class.isAssignableFrom(type) ? new TreeMap<>() : new LinkedHashMap<>());
            }
            Constructor<K> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            return c.newInstance();
        }

        private static Collection<Object> collection(Class<?> type) {
            if (SortedSet.class.isAssignableFrom(type)) {
                return new TreeSet<>();
            }
            if (Set.class.isAssignableFrom(type)) {
                return new LinkedHashSet<>();
            }
            if (Queue.class.isAssignableFrom(type)) {
                return new LinkedList<>();
            }
            return new ArrayList<>();
        }
    }

    /**
     * Adds {@code -h/--help} and {@code -V/--version} as picocli's {@code mixinStandardHelpOptions}
     * adds them: after the command's own options, which is where a help that does not sort options
     * lists them. Returns {@code spec}.
     */
    static CommandSpec withHelpOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return spec;
    }

    /** A boolean option without a value. */
    static OptionSpec flag(String name, String... description) {
        return flag(new String[] {name}, description);
    }

    /** A boolean option without a value, with several names (such as {@code -n} and {@code --normalize}). */
    static OptionSpec flag(String[] names, String... description) {
        return OptionSpec.builder(names).type(boolean.class).description(description).build();
    }

    /** An option with a value of {@code type}, shown as {@code name=LABEL}; add a description, a default, then build. */
    static OptionSpec.Builder option(String name, String paramLabel, Class<?> type) {
        return OptionSpec.builder(name).paramLabel(paramLabel).type(type);
    }

    /** An option with several names (such as {@code -o} and {@code --output}). */
    static OptionSpec.Builder option(String[] names, String paramLabel, Class<?> type) {
        return OptionSpec.builder(names).paramLabel(paramLabel).type(type);
    }

    /** Whether the flag {@code name} was given. */
    static boolean flag(CommandSpec spec, String name) {
        return Boolean.TRUE.equals(spec.findOption(name).getValue());
    }

    /** The value of option {@code name}: as given, else its default, else null. */
    static <T> T value(CommandSpec spec, String name) {
        return spec.findOption(name).getValue();
    }

    /** The value of the {@code index}-th positional parameter, or null when none was given. */
    static <T> T positional(CommandSpec spec, int index) {
        return spec.positionalParameters().get(index).getValue();
    }

    /** The values of a list-valued positional parameter (the first), empty when none was given. */
    static List<String> positionals(CommandSpec spec) {
        List<String> given = positional(spec, 0);
        return given == null ? new ArrayList<>() : given;
    }

    /** The value of option {@code name}: as given, else its default, else {@code otherwise}. */
    static <T> T value(CommandSpec spec, String name, T otherwise) {
        T v = spec.findOption(name).getValue();
        return v == null ? otherwise : v;
    }
}
