package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Go flame graphs in Debian's headless Chromium at a 1,200 x 900 window: short labels that the
 * script fits again on zoom while tooltips, details and search keep the full names; and a graph
 * taller than the window opening with its root in view.
 */
class GoGraphBrowserTest {
    static final String GO = String.join("\n",
            "apiserver;net/http.(*conn).serve;net/http.serverHandler.ServeHTTP;k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1;k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize 60",
            "apiserver;net/http.(*conn).serve;net/http.serverHandler.ServeHTTP;k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1;runtime.mallocgc 1",
            "apiserver;net/http.(*conn).serve;runtime.mallocgc 39") + "\n";

    static Browser browser;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
        // a viewport of 1,200 x 900: the window's size less what its frame takes
        browser.driver.manage().window().setSize(new Dimension(1200, 900));
        browser.driver.get("about:blank");
        Map<?, ?> inner = (Map<?, ?>) browser.driver.executeScript("return {w: window.innerWidth, h: window.innerHeight};");
        int w = 1200 + 1200 - ((Number) inner.get("w")).intValue();
        int h = 900 + 900 - ((Number) inner.get("h")).intValue();
        browser.driver.manage().window().setSize(new Dimension(w, h));
    }

    static Path render(String name, String folded, FlameGraphOptions options) throws Exception {
        Path svg = dir.resolve(name + ".svg");
        try (OutputStream out = Files.newOutputStream(svg)) {
            FlameGraphRenderer.of(options).render(FoldedSamples.read(
                    new java.io.ByteArrayInputStream(folded.getBytes(StandardCharsets.ISO_8859_1)), name), out);
        }
        return svg;
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    static WebElement frame(String fullName) {
        for (WebElement g : browser.driver.findElements(By.cssSelector("#frames > *"))) {
            if (g.findElement(By.tagName("title")).getAttribute("textContent").startsWith(fullName + " (")) {
                return g;
            }
        }
        throw new AssertionError("no frame " + fullName);
    }

    static String label(String fullName) {
        return frame(fullName).findElement(By.tagName("text")).getAttribute("textContent");
    }

    @Test
    void labelsAreShortAndRefitOnZoomWhileTooltipDetailsAndSearchUseFullNames() throws Exception {
        Path svg = render("go", GO,
                FlameGraphOptions.builder().width(600).build());
        browser.driver.get(svg.toUri().toString());
        String authorize = "k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize";
        String filter = "k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1";
        // 60% of 580 px = 348 px, 49 characters: the short name fits
        assertThat(label(authorize)).isEqualTo("union.unionAuthzHandler.Authorize");
        // 1% = 5.8 px: no label; zoomed into its parent it gets the room and the short name
        assertThat(label("runtime.mallocgc")).isIn("runtime.mallocgc", "");
        new Actions(browser.driver).moveToElement(frame(filter).findElement(By.tagName("rect"))).perform();
        assertThat(browser.driver.findElement(By.id("details")).getAttribute("textContent"))
                .startsWith("Function: " + filter + " (61 samples");

        frame(authorize).findElement(By.tagName("rect")).click();
        assertThat(label(authorize)).isEqualTo("union.unionAuthzHandler.Authorize");
        assertThat(label(filter)).isEqualTo("filters.WithAuthorization.func1");
        browser.driver.findElement(By.id("unzoom")).click();
        assertThat(label(authorize)).isEqualTo("union.unionAuthzHandler.Authorize");

        // search matches the full name: the import path is there to be found
        browser.driver.findElement(By.id("search")).click();
        Alert prompt = new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys("^k8s\\.io/apiserver/pkg/endpoints/");
        prompt.accept();
        assertThat(browser.driver.findElement(By.id("matched")).getAttribute("textContent")).isEqualTo("Matched: 61.0%");
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void aNarrowFrameShowsTheLongestShortFormThatFits() throws Exception {
        // 1,200 px wide; ServeHTTP frames of 10% = 118 px = 16 characters: "ServeHTTP" alone
        String folded = "a;net/http.HandlerFunc.ServeHTTP;x 10\na;b 90\n";
        Path svg = render("narrow", folded,
                FlameGraphOptions.builder().names(FrameNames.Style.SHORT).build());
        browser.driver.get(svg.toUri().toString());
        assertThat(label("net/http.HandlerFunc.ServeHTTP")).isEqualTo("ServeHTTP");
        frame("net/http.HandlerFunc.ServeHTTP").findElement(By.tagName("rect")).click();
        assertThat(label("net/http.HandlerFunc.ServeHTTP")).isEqualTo("http.HandlerFunc.ServeHTTP");
        assertThat(browser.severeLogs()).isEmpty();
    }

    /** Each frame's label, its text's style attribute and the browser's computed font size, in order. */
    @SuppressWarnings("unchecked")
    static List<List<String>> labels(String fullName) {
        return (List<List<String>>) browser.driver.executeScript(
                "var out = [], name = arguments[0];"
                + "document.querySelectorAll('#frames > *').forEach(function (g) {"
                + "  if (g.querySelector('title').textContent.indexOf(name + ' (') !== 0) { return; }"
                + "  var t = g.querySelector('text');"
                + "  out.push([t.textContent, t.getAttribute('style') || '', getComputedStyle(t).fontSize]); });"
                + "return out;", fullName);
    }

    static double px(List<String> label) {
        String computed = label.get(2);
        return Double.parseDouble(computed.substring(0, computed.length() - 2));
    }

    @Test
    void aLabelThatFitsNowhereIsDrawnSmallerAndRefitOnZoomAndReset() throws Exception {
        // 1,180 px for 100 samples: HandlerFunc.ServeHTTP under a 59 px, under b and e 35.4 px;
        // serverHandler.ServeHTTP under e 23.6 px. Zoomed into e (60 samples): 59 px and 39.3 px.
        String folded = String.join("\n",
                "a;net/http.HandlerFunc.ServeHTTP;x 5",
                "b;net/http.HandlerFunc.ServeHTTP;x 3",
                "e;net/http.HandlerFunc.ServeHTTP 3",
                "e;net/http.serverHandler.ServeHTTP 2",
                "e;pad 55",
                "d 32") + "\n";
        Path svg = render("smaller", folded, FlameGraphOptions.builder().names(FrameNames.Style.SHORT).build());
        browser.driver.get(svg.toUri().toString());
        String handler = "net/http.HandlerFunc.ServeHTTP";
        String server = "net/http.serverHandler.ServeHTTP";
        // 59 px: "ServeHTTP" in a smaller font; 35.4 px and 23.6 px: too narrow even at 8 px, cut there
        List<List<String>> atLoad = labels(handler);
        assertThat(atLoad).hasSize(3);
        assertThat(atLoad.get(0).get(0)).isEqualTo("ServeHTTP");
        assertThat(px(atLoad.get(0))).isBetween(8.0, 11.9);
        assertThat(atLoad.get(0).get(1)).isEqualTo("font-size:" + atLoad.get(0).get(2).replace("px", "") + (atLoad.get(0).get(2).contains(".") ? "px" : ".0px"));
        assertThat(atLoad.subList(1, 3)).allSatisfy(l -> {
            assertThat(l.get(0)).startsWith("Se").endsWith("..");
            assertThat(l.subList(1, 3)).containsExactly("font-size:8.0px", "8px");
        });
        List<List<String>> serverAtLoad = labels(server);
        assertThat(serverAtLoad).singleElement().satisfies(l -> {
            assertThat(l.get(0)).startsWith("S").endsWith("..");
            assertThat(l.subList(1, 3)).containsExactly("font-size:8.0px", "8px");
        });
        assertEachLabelFitsAndIsTheBest(shownLabels());

        // zoomed into the first: full width, the short name at the font size, the style gone
        frame(handler).findElement(By.tagName("rect")).click();
        assertThat(labels(handler).get(0)).containsExactly("http.HandlerFunc.ServeHTTP", "", "12px");
        browser.driver.findElement(By.id("unzoom")).click();
        assertThat(labels(handler)).isEqualTo(atLoad);

        // zoomed into e: 59 px, smaller, as the first at load; 39.3 px, cut at 8 px but longer than in 23.6 px
        frame("e").findElement(By.tagName("rect")).click();
        assertThat(labels(handler).get(2)).isEqualTo(atLoad.get(0));
        assertThat(labels(server)).singleElement().satisfies(l -> {
            assertThat(l.get(0)).endsWith("..").hasSizeGreaterThan(serverAtLoad.get(0).get(0).length());
            assertThat(l.subList(1, 3)).containsExactly("font-size:8.0px", "8px");
        });
        assertEachLabelFitsAndIsTheBest(shownLabels());
        browser.driver.findElement(By.id("unzoom")).click();
        assertThat(labels(handler)).isEqualTo(atLoad);
        assertThat(labels(server)).isEqualTo(serverAtLoad);
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void fullNamesNeverShrinkOnZoom() throws Exception {
        String folded = "e;net/http.HandlerFunc.ServeHTTP 3\ne;pad 57\nd 40\n";
        Path svg = render("fullzoom", folded, FlameGraphOptions.builder().names(FrameNames.Style.FULL).build());
        browser.driver.get(svg.toUri().toString());
        frame("e").findElement(By.tagName("rect")).click();
        // 59 px: flamegraph.pl's cut, 8 characters at 12 px
        assertThat(labels("net/http.HandlerFunc.ServeHTTP")).containsExactly(List.of("net/ht..", "", "12px"));
        assertThat(browser.severeLogs()).isEmpty();
    }

    /**
     * Every frame's label as the page shows it, measured by the SVG itself (getComputedTextLength, not
     * the script's canvas), with what the next better label would measure: the longer forms at the font
     * size, the shortest form 0.1 px larger, or one more character before "..".
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> shownLabels() {
        return (List<Map<String, Object>>) browser.driver.executeScript(
                "var root = document.documentElement;"
                + "var size = parseFloat(root.getAttribute('data-fontsize')), min = parseFloat(root.getAttribute('data-minfontsize')) || size;"
                + "function width(g, text, px) {"
                + "  var t = document.createElementNS('http://www.w3.org/2000/svg', 'text');"
                + "  t.setAttribute('style', 'font-size:' + px + 'px'); t.textContent = text; g.appendChild(t);"
                + "  var w = t.getComputedTextLength(); g.removeChild(t); return w; }"
                + "var out = [];"
                + "document.querySelectorAll('#frames > *').forEach(function (g) {"
                + "  var r = g.querySelector('rect'), t = g.querySelector('text'), tip = g.querySelector('title');"
                + "  if (!r || !t || !tip || !g.hasAttribute('data-short') || !t.textContent) { return; }"
                + "  var shown = t.textContent, px = parseFloat(getComputedStyle(t).fontSize);"
                + "  var forms = [Array.from(g.getAttribute('data-short'))];"
                + "  (g.getAttribute('data-cuts') || '').split(',').forEach(function (c) { if (c) { forms.push(forms[0].slice(+c)); } });"
                + "  var last = forms[forms.length - 1].join(''), better = [];"
                + "  if (shown.endsWith('..')) {"
                + "    var k = Array.from(shown).length - 2;"
                + "    better.push(width(g, last, min));"
                + "    if (k + 1 < Array.from(last).length) { better.push(width(g, Array.from(last).slice(0, k + 1).join('') + '..', min)); }"
                + "  } else {"
                + "    for (var i = 0; i < forms.length && forms[i].join('') !== shown; i++) { better.push(width(g, forms[i].join(''), size)); }"
                + "    if (px < size) { better.push(width(g, shown, Math.round(px * 10 + 1) / 10)); }"
                + "  }"
                + "  out.push({title: tip.textContent, label: shown, px: px, w: parseFloat(r.getAttribute('width')),"
                + "    length: t.getComputedTextLength(), better: better, forms: forms.map(function (f) { return f.join(''); })});"
                + "});"
                + "return out;");
    }

    /**
     * Each short label fits in its frame (3 px in) and is the best that fits: every better label,
     * measured by the SVG, does not (to 0.05 px, what canvas and SVG text may differ by).
     */
    static void assertEachLabelFitsAndIsTheBest(List<Map<String, Object>> labels) {
        assertThat(labels).isNotEmpty();
        for (Map<String, Object> l : labels) {
            double room = ((Number) l.get("w")).doubleValue() - 3;
            String what = l.get("label") + " at " + l.get("px") + " px in " + l.get("w") + " px (" + l.get("title") + ")";
            assertThat(((Number) l.get("length")).doubleValue()).as(what).isLessThanOrEqualTo(room + 0.05);
            assertThat((List<?>) l.get("better")).as(what + ": better labels do not fit")
                    .allSatisfy(b -> assertThat(((Number) b).doubleValue()).isGreaterThan(room - 0.05));
            assertThat(((Number) l.get("px")).doubleValue()).as(what).isGreaterThanOrEqualTo(ShortNamesTest.MIN_FONT);
            String shown = (String) l.get("label");
            String part = shown.endsWith("..") ? shown.substring(0, shown.length() - 2) : shown;
            assertThat((List<?>) l.get("forms")).as(what).anySatisfy(f -> assertThat((String) f).startsWith(part));
        }
    }

    @Test
    void shortLabelsOfTheRealApiserverGraphAreFittedToTheFontDrawnAndHalfAsManyAreCut() throws Exception {
        Path pb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        var profile = PprofReader.create().read(pb).folded();
        long[] full = ShortNamesTest.cut(ShortNamesTest.frames(
                ShortNamesTest.render(profile, FlameGraphOptions.builder().names(FrameNames.Style.FULL).build())));
        byte[] written = ShortNamesTest.render(profile, FlameGraphOptions.defaults());
        long[] inFile = ShortNamesTest.cut(ShortNamesTest.frames(written));
        Path svg = dir.resolve("apiserver-labels.svg");
        Files.write(svg, written);
        browser.driver.get(svg.toUri().toString());

        @SuppressWarnings("unchecked")
        List<List<Object>> frames = (List<List<Object>>) browser.driver.executeScript(
                "var out = [];"
                + "document.querySelectorAll('#frames > *').forEach(function (g) {"
                + "  var r = g.querySelector('rect'), t = g.querySelector('text');"
                + "  if (r && t && g.querySelector('title')) { out.push([parseFloat(r.getAttribute('width')), t.textContent]); } });"
                + "return out;");
        long wide = frames.stream().filter(f -> ((Number) f.get(0)).doubleValue() > 30).count();
        long cut = frames.stream().filter(f -> ((Number) f.get(0)).doubleValue() > 30 && ((String) f.get(1)).endsWith("..")).count();
        System.out.printf("real apiserver graph at 1,200 px, frames wider than 30 px with a label cut to '..': full names %d of %d;"
                + " short names as written %d; in Chromium, fitted to the font drawn, %d%n", full[1], full[0], inFile[1], cut);
        assertThat(wide).isEqualTo(full[0]);
        // 72 when written, three more than the half of 139 that issue 27 asks for, and two more than the
        // file's own estimate (70), whose labels in capitals overflow their frames: "ServeHTTP" is 43.4 px
        // at 8 px in DejaVu Sans, Chromium's Verdana here, and 25 of the cut frames are 35.6 px wide.
        // A bound that a regression breaks, not the goal.
        assertThat(cut).as("cut labels in Chromium, against %d with full names", full[1]).isLessThanOrEqualTo(72);
        assertEachLabelFitsAndIsTheBest(shownLabels());

        // zoomed into the widest filter closure and back: every label fitted again, then as at load
        List<Map<String, Object>> atLoad = shownLabels();
        frame("k8s.io/apiserver/pkg/endpoints/filters.withAuthentication.func1").findElement(By.tagName("rect")).click();
        assertEachLabelFitsAndIsTheBest(shownLabels());
        browser.driver.findElement(By.id("unzoom")).click();
        assertThat(shownLabels()).isEqualTo(atLoad);
        assertThat(browser.severeLogs()).isEmpty();
    }

    /** The root frame's box in the window, and the window's height. */
    static Map<?, ?> rootBox() {
        return (Map<?, ?>) browser.driver.executeScript(
                "var best = null;"
                + "document.querySelectorAll('#frames > *').forEach(function (g) {"
                + "  if (g.querySelector('title').textContent.indexOf('all (') === 0) { best = g.querySelector('rect'); } });"
                + "var r = best.getBoundingClientRect();"
                + "return {top: r.top, bottom: r.bottom, inner: window.innerHeight, scrolled: window.scrollY,"
                + " height: document.documentElement.getAttribute('height')};");
    }

    @Test
    void theRealApiserverGraphOpensWithItsRootInView() throws Exception {
        Path pb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        Path svg = dir.resolve("apiserver.svg");
        try (OutputStream out = Files.newOutputStream(svg)) {
            FlameGraphRenderer.of(FlameGraphOptions.defaults()).render(PprofReader.create().read(pb).folded(), out);
        }
        browser.driver.get(svg.toUri().toString());
        Map<?, ?> box = rootBox();
        double inner = ((Number) box.get("inner")).doubleValue();
        assertThat(inner).as("the window's inner height").isEqualTo(900.0);
        assertThat(Double.parseDouble((String) box.get("height"))).as("the graph is taller than the window").isGreaterThan(inner);
        assertThat(((Number) box.get("top")).doubleValue()).as("root top").isGreaterThanOrEqualTo(0);
        assertThat(((Number) box.get("bottom")).doubleValue()).as("root bottom").isLessThanOrEqualTo(inner);
        assertThat(((Number) box.get("scrolled")).doubleValue()).isGreaterThan(0);
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void graphsThatFitAndIcicleGraphsAreNotScrolled() throws Exception {
        for (FlameGraphOptions o : List.of(FlameGraphOptions.defaults(), FlameGraphOptions.builder().inverted(true).build())) {
            StringBuilder deep = new StringBuilder("root");
            for (int i = 0; i < 80; i++) {
                deep.append(";f").append(i);
            }
            String folded = (o.inverted() ? deep + " 5\n" : "") + "a;b;c 5\n";
            Path svg = render("flat" + o.inverted(), folded, o);
            browser.driver.get(svg.toUri().toString());
            Map<?, ?> box = rootBox();
            assertThat(((Number) box.get("scrolled")).doubleValue()).isZero();
            assertThat(((Number) box.get("top")).doubleValue()).isGreaterThanOrEqualTo(0);
        }
        assertThat(browser.severeLogs()).isEmpty();
    }
}
