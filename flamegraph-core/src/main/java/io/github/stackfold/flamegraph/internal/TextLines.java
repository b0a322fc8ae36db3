package io.github.stackfold.flamegraph.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** The non-blank lines of a text input as raw strings (one char per byte), with where each one is. */
public final class TextLines {
    /** Receives a line (without its line end), its 1-based number and the offset of its first byte. */
    @FunctionalInterface
    public interface Visitor {
        void line(String line, long lineNo, long offset);
    }

    private TextLines() {
    }

    /** Calls {@code v} for each line of {@code in} that is not blank, in order. */
    public static void forEach(InputStream in, Visitor v) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1 << 16);
        String line;
        long lineNo = 0;
        long offset = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            long lineOffset = offset;
            offset += line.length() + 1;
            if (!line.isBlank()) {
                v.line(line, lineNo, lineOffset);
            }
        }
    }
}
