package io.github.stackfold.flamegraph.analyze;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The JSON a {@code writeJson(OutputStream)} method writes, as a string. */
final class JsonText {
    private JsonText() {
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    static String of(Writer writer) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            writer.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
