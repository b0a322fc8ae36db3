package io.github.stackfold.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * A positive duration on the command line: {@code 30s}, {@code 1.5s}, {@code 500ms}, {@code 2m},
 * {@code 1h}, or plain seconds ({@code 30}, {@code 0.5}).
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern P = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        Matcher m = P.matcher(value.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 30s, 1.5s, 500ms, 2m)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 1000;
        };
        if (Math.round(ms) <= 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
        }
        return Duration.ofMillis(Math.round(ms));
    }
}
