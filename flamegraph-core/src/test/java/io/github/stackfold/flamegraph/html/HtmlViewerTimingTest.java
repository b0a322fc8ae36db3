package io.github.stackfold.flamegraph.html;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.render.Browser;
import io.github.stackfold.testing.Shared;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A measurement, not a timed assertion: how long the viewer of a big profile takes to write, to open
 * in Chromium and to redraw after a zoom and a search. Runs only when asked:
 *
 * <pre>
 * python3 gen.py &gt; /tmp/big.folded     # 1 M random stacks, see the README
 * mvn -o -pl flamegraph-core test -Dtest=HtmlViewerTimingTest -Dstackfold.htmlBench=/tmp/big.folded
 * </pre>
 *
 * Each of {@code -Dstackfold.htmlBench.rounds} rounds (default 5) opens the file in a fresh browser;
 * medians are printed. "open" is navigation start until the first flame graph is on screen (the
 * viewer's ready flag is set in the animation frame after its first draw); "zoom" and "search" are
 * from the event until two animation frames later, so they include the method's floor of about two
 * frames (the peers' figures were taken the same way).
 */
class HtmlViewerTimingTest {
    @Test
    void measureWriteOpenZoomAndSearch() throws Exception {
        String input = System.getProperty("stackfold.htmlBench");
        Shared.requireThat(input != null, "a measurement: run with -Dstackfold.htmlBench=FOLDED_FILE");
        int rounds = Integer.getInteger("stackfold.htmlBench.rounds", 5);
        Path in = Path.of(input);
        long l0 = System.nanoTime();
        FoldedProfile p = ProfileLoader.create().load(in);
        long l1 = System.nanoTime();
        Path html = Files.createTempFile("stackfold-bench-", ".html");
        List<Double> writes = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            long w0 = System.nanoTime();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(html), 1 << 16)) {
                HtmlRenderer.of(HtmlOptions.defaults()).render(p, out);
            }
            writes.add((System.nanoTime() - w0) / 1e6);
        }
        System.out.printf(Locale.ROOT, "html-bench: %s: %d stacks, loaded in %.0f ms; html %d bytes, written in %s ms%n",
                in, p.size(), (l1 - l0) / 1e6, Files.size(html), writes);
        List<Double> open = new ArrayList<>();
        List<Double> zoom = new ArrayList<>();
        List<Double> search = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            try (Browser b = Browser.start()) {
                b.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(300));
                b.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
                b.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
                b.driver.get(html.toUri().toString());
                new WebDriverWait(b.driver, Duration.ofSeconds(300)).until(d -> Boolean.TRUE.equals(
                        b.driver.executeScript("return stackfold.ready || !!stackfold.error")));
                assertThat(b.driver.executeScript("return stackfold.error")).isNull();
                open.add(((Number) b.driver.executeScript("return stackfold.readyAt")).doubleValue());
                // the widest frame above the root
                @SuppressWarnings("unchecked")
                Map<String, Object> widest = (Map<String, Object>) b.driver.executeScript(
                        "var f = stackfold.frames().filter(function (x) { return x.name !== 'all'; });"
                                + "f.sort(function (a, c) { return c.w - a.w; }); return f[0];");
                zoom.add(timed(b, "var f = arguments[0]; var cv = document.getElementById('cv');"
                        + "var r = cv.getBoundingClientRect();"
                        + "cv.dispatchEvent(new MouseEvent('click', {clientX: r.left + f.x + 2, clientY: r.top + f.y + 8, bubbles: true}));",
                        widest));
                search.add(timed(b, "var s = document.getElementById('search'); s.value = arguments[0];"
                        + "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));", "_1[0-5]$"));
                System.out.printf(Locale.ROOT, "html-bench: round %d: open %.0f ms %s, zoom into %s %.0f ms (drawing %s ms),"
                        + " search %.0f ms (matched %.2f%%, %s ms), heap %s MB%n",
                        r + 1, open.get(r), b.driver.executeScript("return JSON.stringify(stackfold.phases)"),
                        widest.get("name"), zoom.get(r), b.driver.executeScript("return stackfold.lastZoomMs"), search.get(r),
                        ((Number) b.driver.executeScript("return stackfold.matched")).doubleValue(),
                        b.driver.executeScript("return stackfold.lastSearchMs"),
                        b.driver.executeScript("return performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1048576) : -1"));
            }
        }
        System.out.printf(Locale.ROOT, "html-bench: medians of %d rounds: open %.0f ms, zoom %.0f ms, search %.0f ms%n",
                rounds, median(open), median(zoom), median(search));
        Files.deleteIfExists(html);
    }

    /** Runs a script that starts a redraw; milliseconds until two animation frames later. */
    private static double timed(Browser b, String script, Object arg) {
        Object ms = b.driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "var t0 = performance.now();"
                + "(function () {" + script + "}).apply(null, arguments);"
                + "requestAnimationFrame(function () { requestAnimationFrame(function () { done(performance.now() - t0); }); });",
                arg);
        return ((Number) ms).doubleValue();
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
