package io.github.stackfold.bench;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The floor for whole-process timings: a JVM that starts, reads its files and only counts newlines
 * with a plain byte loop. No collapser can be faster than reading every byte once, so
 * {@code run-whole-process.sh} reports {@code flame collapse} as a ratio to this program measured in
 * the same run (ratios survive a loaded machine better than absolute numbers).
 *
 * <p>How to run: {@code java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.NewlineFloor FILE...}
 * prints {@code LINES BYTES}.
 */
public final class NewlineFloor {
    private NewlineFloor() {
    }

    public static void main(String[] args) throws IOException {
        byte[] buf = new byte[1 << 20];
        long lines = 0;
        long bytes = 0;
        for (String a : args) {
            try (InputStream in = new FileInputStream(a)) { // the faster plain read, as flame reads files
                int n;
                while ((n = in.read(buf)) > 0) {
                    bytes += n;
                    lines += count(buf, n);
                }
            }
        }
        System.out.println(lines + " " + bytes);
    }

    static int count(byte[] buf, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                c++;
            }
        }
        return c;
    }
}
