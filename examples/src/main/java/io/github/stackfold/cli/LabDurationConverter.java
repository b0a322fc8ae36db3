package io.github.stackfold.cli;

import java.time.Duration;
import java.util.Locale;

import picocli.CommandLine;

/** {@code 30s}, {@code 1.5s}, {@code 500ms}, {@code 2m}, or plain seconds ({@code 30}) for the lab's commands. */
final class LabDurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        double factorMillis;
        String number;
        if (v.endsWith("ms")) {
            factorMillis = 1;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            factorMillis = 1000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            factorMillis = 60_000;
            number = v.substring(0, v.length() - 1);
        } else {
            factorMillis = 1000;
            number = v;
        }
        double n;
        try {
            n = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 30s, 1.5s, 500ms, 2m)");
        }
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
        }
        return Duration.ofMillis(Math.round(n * factorMillis));
    }
}
