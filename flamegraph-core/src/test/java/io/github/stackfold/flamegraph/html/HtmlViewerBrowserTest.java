package io.github.stackfold.flamegraph.html;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.diff.DiffOptions;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.render.Browser;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The HTML viewer in Debian's headless Chromium, driven with real mouse and keyboard events: it opens
 * with the same numbers as the folded input, zooms on a click, searches with the matched share,
 * sorts its top table, shows a sandwich, focuses and ignores, selects a heatmap range, keeps diff
 * labels readable on blue, and shows hostile frame names as text.
 */
class HtmlViewerBrowserTest {
    /** Counts add up to 100, so shares are easy to read. */
    static final String FOLDED = String.join("\n",
            "main;parse;lex 30",
            "main;parse;read_file;vfs_read 20",
            "main;render;draw_frames 25",
            "main;render;Draw_Text 10",
            "main;write_out;vfs_write 15") + "\n";

    static Browser browser;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
        browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    static FoldedProfile folded(String text) throws Exception {
        return FoldedProfile.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "test");
    }

    interface Writer {
        void write(HtmlRenderer r, OutputStream out) throws Exception;
    }

    static void open(String name, HtmlOptions options, Writer writer) throws Exception {
        Path html = dir.resolve(name + ".html");
        try (OutputStream out = Files.newOutputStream(html)) {
            writer.write(HtmlRenderer.of(options), out);
        }
        browser.driver.get(html.toUri().toString());
        new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d -> Boolean.TRUE.equals(js("return stackfold.ready || !!stackfold.error")));
        assertThat(js("return stackfold.error")).isNull();
    }

    static void open(String name, FoldedProfile p) throws Exception {
        open(name, HtmlOptions.defaults(), (r, out) -> r.render(p, out));
    }

    static Object js(String script, Object... args) {
        return browser.driver.executeScript(script, args);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> frames() {
        return (List<Map<String, Object>>) js("return stackfold.frames()");
    }

    static Map<String, Object> frame(String name) {
        return frames().stream().filter(f -> name.equals(f.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no frame " + name + " drawn; drawn: " + names()));
    }

    static List<Object> names() {
        return frames().stream().map(f -> f.get("name")).collect(Collectors.toList());
    }

    static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    /** A real click on the middle of the frame's left part, through the canvas. */
    static void click(String name) {
        Map<String, Object> f = frame(name);
        WebElement cv = browser.driver.findElement(By.id("cv"));
        int x = (int) (num(f.get("x")) + Math.min(num(f.get("w")), 20) / 2);
        int y = (int) num(f.get("y")) + 8;
        int w = cv.getSize().getWidth();
        int h = cv.getSize().getHeight();
        new Actions(browser.driver).moveToElement(cv, x - w / 2, y - h / 2).click().perform();
    }

    /** A real mouse move onto the frame's left part: the details line shows it. */
    static void hover(String name) {
        Map<String, Object> f = frame(name);
        WebElement cv = browser.driver.findElement(By.id("cv"));
        int x = (int) (num(f.get("x")) + Math.min(num(f.get("w")), 20) / 2);
        int y = (int) num(f.get("y")) + 8;
        new Actions(browser.driver).moveToElement(cv, x - cv.getSize().getWidth() / 2, y - cv.getSize().getHeight() / 2)
                .perform();
    }

    static String text(String id) {
        return browser.driver.findElement(By.id(id)).getText();
    }

    @Test
    void opensWithTheFoldedNumbers() throws Exception {
        open("open", folded(FOLDED));
        assertThat(num(frame("all").get("total"))).isEqualTo(100);
        assertThat(num(frame("main").get("total"))).isEqualTo(100);
        assertThat(num(frame("parse").get("total"))).isEqualTo(50);
        assertThat(num(frame("vfs_read").get("total"))).isEqualTo(20);
        assertThat(text("status")).contains("Total 100 samples");
        double width = num(frame("all").get("w"));
        assertThat(num(frame("render").get("w"))).isCloseTo(width * 0.35, org.assertj.core.data.Offset.offset(0.01));
        // flame graph: the root is the bottom row
        assertThat(num(frame("all").get("y"))).isGreaterThan(num(frame("main").get("y")));
        assertThat(browser.severeLogs()).isEmpty();
    }

    /**
     * The verdict on unnamed frames of a lab recording: the short form as the subtitle, the full wording
     * (remedy included) shown under the bar; a page without a notice shows none.
     */
    @Test
    void theVerdictOnUnnamedFramesIsShownUnderTheBar() throws Exception {
        FoldedProfile p = io.github.stackfold.flamegraph.io.ProfileLoader.create()
                .load(io.github.stackfold.testing.Shared.path("real/lab-recordings/roko99-flame.folded"));
        io.github.stackfold.flamegraph.analyze.Report r = io.github.stackfold.flamegraph.analyze.Analyzer.unnamedFrames(p);
        String full = r.verdict() + "; " + r.remedy();
        open("verdict", HtmlOptions.builder().subtitle(r.graphVerdict("html")).notice(full).build(), (h, out) -> h.render(p, out));
        assertThat(text("subtitle")).isEqualTo("cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames;"
                + " name them: flame html --binary ./kube-apiserver perf.data");
        assertThat(browser.driver.findElement(By.id("notice")).isDisplayed()).isTrue();
        assertThat(text("notice")).isEqualTo(full).contains("'flame analyze --binary ./kube-apiserver perf.data'");
        assertThat(browser.driver.findElement(By.id("subtitle")).getAttribute("title")).isEqualTo(full);

        open("no-verdict", folded(FOLDED));
        assertThat(browser.driver.findElement(By.id("notice")).isDisplayed()).isFalse();
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void aStackThatEndsWhereOthersGoOnStaysOneFrame() throws Exception {
        // byte order puts f1_1!z and f1_10;x between f1_1 and f1_1;y: still one f1_1 frame
        open("prefix", folded("a;f1_1 2\na;f1_1!z 1\na;f1_10;x 3\na;f1_1;y 4\n"));
        List<Map<String, Object>> f11 = frames().stream().filter(f -> "f1_1".equals(f.get("name"))).collect(Collectors.toList());
        assertThat(f11).hasSize(1);
        assertThat(num(f11.get(0).get("total"))).isEqualTo(6);
        assertThat(num(frame("y").get("total"))).isEqualTo(4);
        assertThat(num(frame("f1_10").get("total"))).isEqualTo(3);
        assertThat(num(frame("all").get("total"))).isEqualTo(10);
    }

    /** Go frames: three of five names have an import path, so the default (auto) shows short labels. */
    static final String GO = String.join("\n",
            "runtime.goexit;net/http.(*conn).serve;net/http.serverHandler.ServeHTTP;"
                    + "k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication.func1 60",
            "runtime.goexit;net/http.(*conn).serve;runtime.mallocgc 40") + "\n";

    @Test
    void goNamesAreShortInLabelsAndFullInDetailsAndSearch() throws Exception {
        open("go", folded(GO));
        Map<String, Object> serve = frame("net/http.(*conn).serve");
        assertThat(serve.get("label")).isEqualTo("http.(*conn).serve");
        assertThat(serve.get("text")).isEqualTo("http.(*conn).serve"); // what the canvas drew
        assertThat(frame("k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication.func1").get("text"))
                .isEqualTo("filters.WithAuthentication.func1");
        assertThat(frame("runtime.mallocgc").get("text")).isEqualTo("runtime.mallocgc");
        hover("net/http.(*conn).serve");
        assertThat(text("details")).isEqualTo("net/http.(*conn).serve (100 samples, 100.00%)");
        // the search sees full names: the import path matches, though no label shows it
        WebElement s = browser.driver.findElement(By.id("search"));
        s.sendKeys("^net/http\\.serverHandler", Keys.ENTER);
        assertThat(text("matched")).isEqualTo("Matched: 60.00% (60 samples)");
        assertThat(frame("net/http.serverHandler.ServeHTTP").get("fill")).isEqualTo("rgb(230,0,230)");
        assertThat(frame("net/http.serverHandler.ServeHTTP").get("text")).isEqualTo("http.serverHandler.ServeHTTP");
        s.clear();
        s.sendKeys("net/http", Keys.ENTER);
        assertThat(text("matched")).isEqualTo("Matched: 100.00% (100 samples)");
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void namesFullKeepsGoLabelsAndShortShortensOtherJavaNames() throws Exception {
        open("gofull", HtmlOptions.builder().names(io.github.stackfold.flamegraph.FrameNames.Style.FULL).build(),
                (r, out) -> r.render(folded(GO), out));
        assertThat(frame("net/http.(*conn).serve").get("text")).isEqualTo("net/http.(*conn).serve");
        // few Go names: auto keeps full names; short asks for them
        String java = "java.lang.Thread.run;org.apache.kafka.clients.NetworkClient.poll 5\n";
        open("javaauto", folded(java));
        assertThat(frame("org.apache.kafka.clients.NetworkClient.poll").get("text"))
                .isEqualTo("org.apache.kafka.clients.NetworkClient.poll");
        open("javashort", HtmlOptions.builder().names(io.github.stackfold.flamegraph.FrameNames.Style.SHORT).build(),
                (r, out) -> r.render(folded(java), out));
        assertThat(frame("org.apache.kafka.clients.NetworkClient.poll").get("text")).isEqualTo("NetworkClient.poll");
        assertThat(frame("java.lang.Thread.run").get("text")).isEqualTo("Thread.run");
        hover("org.apache.kafka.clients.NetworkClient.poll");
        assertThat(text("details")).startsWith("org.apache.kafka.clients.NetworkClient.poll (5 samples");
    }

    /** The font size the canvas had when it drew the frame's label ("9.4px Verdana, ..." -> 9.4). */
    static double drawnSize(Map<String, Object> f) {
        String font = (String) f.get("font");
        assertThat(font).matches("[0-9.]+px .*");
        return Double.parseDouble(font.substring(0, font.indexOf("px")));
    }

    static final String LONG_GO = String.join("\n",
            "runtime.goexit;net/http.HandlerFunc.ServeHTTP 12",
            "runtime.goexit;net/http.serverHandler.ServeHTTP 5",
            "runtime.goexit;k8s.io/apiserver/pkg/server.(*APIServerHandler).ServeHTTP 83") + "\n";

    /**
     * A text's width in px at a font size as the page lays it out in a span (not the viewer's canvas
     * measurement), in the viewer's font.
     */
    static double laidOut(String text, double size) {
        return num(js("var s = document.createElement('span');"
                + "s.style.font = arguments[1] + 'px Verdana, \"DejaVu Sans\", sans-serif';"
                + "s.style.whiteSpace = 'pre'; s.style.position = 'absolute'; s.textContent = arguments[0];"
                + "document.body.appendChild(s); var w = s.getBoundingClientRect().width; s.remove(); return w;", text, size));
    }

    /**
     * The frame's label fits in its width (3 px in, 3 px to spare) and the next better label does not:
     * the whole label at the next font size up (0.1 px), or one more character before "..". To 0.05 px,
     * what a span and the canvas may differ by.
     */
    static void assertFitsAndIsTheBest(Map<String, Object> f, String label, double size) {
        double room = num(f.get("w")) - 6;
        String text = (String) f.get("text");
        assertThat(laidOut(text, size)).as(text + " at " + size + " px").isLessThanOrEqualTo(room + 0.05);
        if (text.endsWith("..")) {
            String start = text.substring(0, text.length() - 2);
            assertThat(label).startsWith(start);
            assertThat(laidOut(label, size)).isGreaterThan(room - 0.05);
            assertThat(laidOut(label.substring(0, start.length() + 1) + "..", size)).isGreaterThan(room - 0.05);
        } else {
            assertThat(text).isEqualTo(label);
            if (size < 12) {
                assertThat(laidOut(label, Math.round(size * 10 + 1) / 10.0)).isGreaterThan(room - 0.05);
            }
        }
    }

    @Test
    void shortLabelsTooLongAtTwelvePixelsAreDrawnSmallerDownToEightThenCut() throws Exception {
        open("gosmall", folded(LONG_GO));
        // 12% of ~1,250 px: "http.HandlerFunc.ServeHTTP" (26 characters, ~170 px at 12 px) fits smaller
        Map<String, Object> handler = frame("net/http.HandlerFunc.ServeHTTP");
        double size = drawnSize(handler);
        assertThat(handler.get("text")).isEqualTo("http.HandlerFunc.ServeHTTP");
        assertThat(size).isBetween(8.0, 11.9);
        assertFitsAndIsTheBest(handler, "http.HandlerFunc.ServeHTTP", size);
        // 5%: even at 8 px "http.serverHandler.ServeHTTP" (28 characters, ~120 px) is too long: cut at 8 px
        Map<String, Object> server = frame("net/http.serverHandler.ServeHTTP");
        String cut = (String) server.get("text");
        assertThat(drawnSize(server)).isEqualTo(8.0);
        assertThat(cut).endsWith("..");
        assertFitsAndIsTheBest(server, "http.serverHandler.ServeHTTP", 8.0);
        // a label that fits is drawn at 12 px
        assertThat(drawnSize(frame("k8s.io/apiserver/pkg/server.(*APIServerHandler).ServeHTTP"))).isEqualTo(12.0);
        // zoomed in, the cut label has the room: the whole short label at 12 px; reset restores both
        click("net/http.serverHandler.ServeHTTP");
        assertThat(frame("net/http.serverHandler.ServeHTTP").get("text")).isEqualTo("http.serverHandler.ServeHTTP");
        assertThat(drawnSize(frame("net/http.serverHandler.ServeHTTP"))).isEqualTo(12.0);
        browser.driver.findElement(By.id("b-reset")).click();
        assertThat(frame("net/http.serverHandler.ServeHTTP").get("text")).isEqualTo(cut);
        assertThat(drawnSize(frame("net/http.HandlerFunc.ServeHTTP"))).isEqualTo(size);
        assertThat(browser.severeLogs()).isEmpty();

        // full names are cut at 12 px, never drawn smaller
        open("gosmallfull", HtmlOptions.builder().names(io.github.stackfold.flamegraph.FrameNames.Style.FULL).build(),
                (r, out) -> r.render(folded(LONG_GO), out));
        Map<String, Object> full = frame("net/http.HandlerFunc.ServeHTTP");
        assertThat(drawnSize(full)).isEqualTo(12.0);
        assertThat((String) full.get("text")).endsWith("..");
        assertFitsAndIsTheBest(full, "net/http.HandlerFunc.ServeHTTP", 12.0);
    }

    @Test
    void clickZoomsAndResetReturns() throws Exception {
        open("zoom", folded(FOLDED));
        double width = num(frame("all").get("w"));
        click("parse");
        assertThat(js("return stackfold.zoomedTo")).isEqualTo("parse");
        assertThat(num(frame("parse").get("w"))).isEqualTo(width);
        assertThat(num(frame("lex").get("w"))).isCloseTo(width * 0.6, org.assertj.core.data.Offset.offset(0.01));
        assertThat(names()).doesNotContain("render", "draw_frames");
        browser.driver.findElement(By.id("b-reset")).click();
        assertThat(names()).contains("render", "draw_frames");
    }

    @Test
    void icicleDrawsTheRootOnTop() throws Exception {
        open("icicle", folded(FOLDED));
        browser.driver.findElement(By.id("b-icicle")).click();
        assertThat(num(frame("all").get("y"))).isEqualTo(0);
        assertThat(num(frame("main").get("y"))).isEqualTo(16);
    }

    @Test
    void searchHighlightsAndShowsTheMatchedShare() throws Exception {
        open("search", folded(FOLDED));
        browser.driver.findElement(By.id("search")).sendKeys("^vfs_", Keys.ENTER);
        assertThat(text("matched")).isEqualTo("Matched: 35.00% (35 samples)");
        assertThat(frame("vfs_read").get("fill")).isEqualTo("rgb(230,0,230)");
        assertThat(frame("lex").get("fill")).isNotEqualTo("rgb(230,0,230)");
        // a match inside a match counts once
        WebElement s = browser.driver.findElement(By.id("search"));
        s.clear();
        s.sendKeys("main|parse", Keys.ENTER);
        assertThat(text("matched")).startsWith("Matched: 100.00%");
        s.clear();
        s.sendKeys("(", Keys.ENTER);
        assertThat(s.getAttribute("class")).contains("bad");
    }

    @Test
    void topTableSortsBySelfAndInclusiveAndOpensASandwich() throws Exception {
        open("top", folded(FOLDED));
        browser.driver.findElement(By.id("b-top")).click();
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#top tr"));
        assertThat(rows.get(1).getText()).startsWith("lex 30 30.00% 30 30.00%");
        // one column says it is the sort key, not a count and its share both
        assertThat(rows.get(0).getText()).isEqualTo("Function Self ▼ Self % Inclusive Inclusive %");
        browser.driver.findElements(By.cssSelector("#top th")).get(3).click(); // Inclusive
        rows = browser.driver.findElements(By.cssSelector("#top tr"));
        assertThat(rows.get(0).getText()).isEqualTo("Function Self Self % Inclusive ▼ Inclusive %");
        assertThat(rows.get(1).getText()).startsWith("main 0 0.00% 100 100.00%");
        assertThat(rows.get(2).getText()).startsWith("parse 0 0.00% 50 50.00%");
        rows.get(2).click();
        assertThat(js("return stackfold.view")).isEqualTo("sandwich");
        assertThat(text("status")).contains("Sandwich of parse");
        // callers above: parse, then main above it; callees below: lex and read_file, vfs_read
        List<Map<String, Object>> fs = frames();
        double parseCallerY = fs.stream().filter(f -> f.get("name").equals("parse")).mapToDouble(f -> num(f.get("y"))).min().orElseThrow();
        assertThat(num(frame("main").get("y"))).isLessThan(parseCallerY);
        assertThat(num(frame("lex").get("total"))).isEqualTo(30);
        assertThat(num(frame("vfs_read").get("y"))).isGreaterThan(num(frame("read_file").get("y")));
        assertThat(names()).doesNotContain("render", "all");
    }

    @Test
    void focusKeepsAndIgnoreDropsStacks() throws Exception {
        open("focus", folded(FOLDED));
        WebElement focus = browser.driver.findElement(By.id("focus"));
        focus.sendKeys("^render$", Keys.TAB);
        assertThat(num(frame("all").get("total"))).isEqualTo(35);
        assertThat(names()).doesNotContain("parse");
        focus.clear();
        focus.sendKeys(Keys.TAB);
        browser.driver.findElement(By.id("ignore")).sendKeys("render|lex", Keys.TAB);
        assertThat(num(frame("all").get("total"))).isEqualTo(35);
        assertThat(names()).contains("read_file", "write_out").doesNotContain("render", "lex");
    }

    @Test
    void diffColoursChangeAndKeepLabelsReadable() throws Exception {
        FoldedProfile before = folded("main;grow 10\nmain;shrink 90\nmain;same 50\n");
        FoldedProfile after = folded("main;grow 90\nmain;shrink 10\nmain;same 50\n");
        DiffProfile diff = DiffProfile.of(before, after, DiffOptions.defaults());
        HtmlOptions wide = HtmlOptions.defaults();
        open("diff", wide, (r, out) -> r.render(diff, out));
        assertThat(text("title")).isEqualTo("Differential Flame Graph");
        Map<String, Object> shrink = frame("shrink");
        Map<String, Object> grow = frame("grow");
        assertThat(shrink.get("fill")).isEqualTo("rgb(0,0,255)");
        assertThat(grow.get("fill")).isEqualTo("rgb(255,0,0)");
        assertThat(num(shrink.get("total"))).isEqualTo(10);
        assertThat(num(shrink.get("before"))).isEqualTo(90);
        assertThat(frame("same").get("fill")).isEqualTo("rgb(255,255,255)");
        assertThat(frame("main").get("fill")).as("main has no samples of its own").isEqualTo("rgb(255,255,255)");
        assertThat(text("legend")).isEqualTo("red: grew, blue: shrank, by each frame\u2019s own samples (after \u2212 before,"
                + " not its callees\u2019); the deeper the colour, the larger the change (full at the largest); white: no change"
                + " of its own");
        for (Map<String, Object> f : frames()) {
            if (!((String) f.get("text")).isEmpty()) {
                assertThat(num(js("return stackfold.contrast(arguments[0], arguments[1])",
                        f.get("color").equals("#fff") ? "rgb(255,255,255)" : "rgb(0,0,0)", f.get("fill"))))
                        .as("contrast of the label of %s", f.get("name")).isGreaterThanOrEqualTo(4.5);
            }
        }
        assertThat(shrink.get("color")).isEqualTo("#fff");
    }

    /**
     * A frame is coloured by its own change, as flamegraph.pl colours it: a parent whose own samples
     * shrank is blue even though its callees grew more (inclusive: it grew), and the legend says so.
     */
    @Test
    void diffColoursAFrameByItsOwnChangeNotItsCallees() throws Exception {
        FoldedProfile before = folded("main;work 40\nmain;work;child 10\nmain;other 50\n");
        FoldedProfile after = folded("main;work 30\nmain;work;child 40\nmain;other 30\n");
        open("own", HtmlOptions.defaults(), (r, out) -> r.render(DiffProfile.of(before, after, DiffOptions.defaults()), out));
        Map<String, Object> work = frame("work");
        assertThat(num(work.get("total")) - num(work.get("before"))).as("inclusive change").isEqualTo(20);
        assertThat(num(work.get("delta"))).as("own change").isEqualTo(-10);
        // flamegraph.pl: the largest own change is 30 (child +30); work -10: 210 * 20 / 30 = 140
        assertThat(work.get("fill")).isEqualTo("rgb(140,140,255)");
        assertThat(frame("child").get("fill")).isEqualTo("rgb(255,0,0)");
        assertThat(frame("other").get("fill")).as("other -20: 210 * 10 / 30").isEqualTo("rgb(70,70,255)");
        assertThat(frame("main").get("fill")).isEqualTo("rgb(255,255,255)");
        assertThat(text("legend")).startsWith("red: grew, blue: shrank, by each frame\u2019s own samples");
        hover("work");
        assertThat(text("details")).isEqualTo("work (70 samples, 70.00%; before 50, change +20, own -10)");
        // not a diff: no legend
        open("plain", folded(FOLDED));
        assertThat(browser.driver.findElement(By.id("legend")).isDisplayed()).isFalse();
    }

    /**
     * The viewer's diff colours are flamegraph.pl's: on the diff cases of the conformance set, every frame
     * of at least 0.5% has the fill of the frame of the same name and samples in flamegraph.pl's own SVG.
     */
    @Test
    void diffColoursAreFlamegraphPlsOnItsReferenceSvgs() throws Exception {
        Path cases = io.github.stackfold.testing.Shared.path("conformance/flamegraph/CASES.tsv");
        int compared = 0;
        for (String line : Files.readAllLines(cases)) {
            String[] c = line.split("\t", -1);
            if (!c[0].startsWith("diff-") || !c[2].replace("--hash", "").isBlank()) {
                continue; // the diff cases with flamegraph.pl's default colours (--hash is of the palette only)
            }
            Path folded = cases.resolveSibling("folded").resolve(c[1]);
            DiffProfile d;
            try (java.io.InputStream in = Files.newInputStream(folded)) {
                d = DiffProfile.read(in, folded.toString());
            }
            open(c[0], HtmlOptions.defaults(), (r, out) -> r.render(d, out));
            double total = num(frames().get(0).get("total"));
            List<String> viewer = frames().stream().filter(f -> num(f.get("total")) >= total * 0.005)
                    // names as flamegraph.pl shows them: without the collapser's _[k] _[j] _[i] _[w] annotations
                    .map(f -> ((String) f.get("name")).replaceFirst("_\\[[kjiw]\\]$", "") + " " + Math.round(num(f.get("total")))
                            + " " + f.get("fill")).sorted()
                    .collect(Collectors.toList());
            String svg = Files.readString(cases.resolveSibling("expected").resolve(c[0] + ".svg"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "<title>(.*) \\(([0-9,]+) samples, [^<]*</title><rect [^>]*fill=\"(rgb\\([0-9,]+\\))\"").matcher(svg);
            List<String> reference = new java.util.ArrayList<>();
            while (m.find()) {
                long samples = Long.parseLong(m.group(2).replace(",", ""));
                if (samples >= total * 0.005) {
                    String name = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                            .replace("&apos;", "'").replace("&amp;", "&");
                    reference.add(name + " " + samples + " " + m.group(3));
                }
            }
            reference.sort(null);
            assertThat(reference).as(c[0]).hasSizeGreaterThan(10).anyMatch(f -> f.contains("rgb(255,255,255)"))
                    .anyMatch(f -> !f.contains("rgb(255,255,255)"));
            assertThat(viewer).as(c[0] + ": the viewer's frames against flamegraph.pl's").isEqualTo(reference);
            compared++;
        }
        assertThat(compared).isEqualTo(2);
    }

    @Test
    void hostileFrameNamesStayText() throws Exception {
        String hostile = "</script><script>alert(1)</script>";
        String img = "<img src=x onerror=alert(2)>";
        FoldedProfile p = folded("main;" + hostile + " 5\nmain;" + img + ";\"'&lt 5\n");
        HtmlOptions o = HtmlOptions.builder().title("{{META}} </title><script>alert(3)</script>").build();
        open("hostile", o, (r, out) -> r.render(p, out));
        assertThat(num(frame(hostile).get("total"))).isEqualTo(5);
        assertThat(num(frame(img).get("total"))).isEqualTo(5);
        assertThat(num(frame("\"'&lt").get("total"))).isEqualTo(5);
        assertThat(js("return document.scripts.length")).isEqualTo(3L);
        assertThat(js("return document.images.length")).isEqualTo(0L);
        assertThat(text("title")).isEqualTo("{{META}} </title><script>alert(3)</script>");
        assertThat(browser.driver.getTitle()).isEqualTo("{{META}} </title><script>alert(3)</script>");
        browser.driver.findElement(By.id("b-top")).click();
        assertThat(browser.driver.findElement(By.id("top")).getText()).contains(hostile, img);
        try {
            browser.driver.switchTo().alert();
            throw new AssertionError("an alert opened");
        } catch (NoAlertPresentException expected) {
            // names stayed text
        }
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void heatmapRangeRedrawsTheFlameGraphOfThatRange() throws Exception {
        TimedProfile.Builder b = TimedProfile.builder();
        long t0 = 5_000_300_000L; // 5000.3 s since boot
        for (int i = 0; i < 100; i++) {
            b.add("app;first_second", t0 + i * 10_000L, 1); // 5000.30 .. 5001.29
        }
        for (int i = 0; i < 50; i++) {
            b.add("app;later", t0 + 2_000_000L + i * 10_000L, 2); // 5002.30 .. 5002.79
        }
        TimedProfile timed = b.build();
        open("heat", HtmlOptions.builder().view(HtmlOptions.View.HEATMAP).build(), (r, out) -> r.render(timed, out));
        assertThat(js("return stackfold.view")).isEqualTo("heatmap");
        @SuppressWarnings("unchecked")
        Map<String, Object> heat = (Map<String, Object>) js("return stackfold.heat");
        assertThat(num(heat.get("cols"))).isEqualTo(3);
        assertThat(num(heat.get("rows"))).isEqualTo(50);
        int cw = (int) num(heat.get("cw"));
        int ch = (int) num(heat.get("ch"));
        WebElement cv = browser.driver.findElement(By.id("cv"));
        int w = cv.getSize().getWidth();
        int h = cv.getSize().getHeight();
        // drag over column 2 (the third second), rows 0 to 49
        new Actions(browser.driver)
                .moveToElement(cv, 2 * cw + cw / 2 - w / 2, ch / 2 - h / 2).clickAndHold()
                .moveToElement(cv, 2 * cw + cw / 2 - w / 2, 49 * ch + ch / 2 - h / 2).release().perform();
        assertThat(js("return stackfold.view")).isEqualTo("flame");
        assertThat(num(frame("all").get("total"))).isEqualTo(100);
        assertThat(names()).contains("later").doesNotContain("first_second");
        assertThat(text("status")).contains("Time range 2.00 s to 3.00 s");
        browser.driver.findElement(By.id("b-reset")).click();
        assertThat(num(frame("all").get("total"))).isEqualTo(200);
    }
}
