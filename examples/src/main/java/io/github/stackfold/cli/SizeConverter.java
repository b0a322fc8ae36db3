package io.github.stackfold.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * A positive size in bytes on the command line: {@code 256m}, {@code 1g}, {@code 512k} (binary
 * units: {@code m} is 2^20 bytes), {@code MB}/{@code MiB} spellings too, or plain bytes.
 */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern P = Pattern.compile("(\\d+)\\s*(?:([kmg])(?:i?b)?|b)?");

    @Override
    public Long convert(String value) {
        Matcher m = P.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size (e.g. 256m, 1g, 512k)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            default -> 30;
        };
        if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a positive size");
        }
        return n << shift;
    }
}
