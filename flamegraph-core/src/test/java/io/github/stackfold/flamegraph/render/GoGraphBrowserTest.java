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
        List<List<String>> atLoad = List.of(
                List.of("ServeHTTP", "font-size:11.1px", "11.1px"),
                List.of("Serve..", "font-size:8.0px", "8px"),
                List.of("Serve..", "font-size:8.0px", "8px"));
        assertThat(labels(handler)).isEqualTo(atLoad);
        // 23.6 px at 8 px: 5 characters, 4 where the width comes out a hair under 23.6
        assertThat(labels(server)).isIn(List.of(List.of("Ser..", "font-size:8.0px", "8px")),
                List.of(List.of("Se..", "font-size:8.0px", "8px")));

        List<List<String>> serverAtLoad = labels(server);

        // zoomed into the first: full width, the short name at the font size, the style gone
        frame(handler).findElement(By.tagName("rect")).click();
        assertThat(labels(handler).get(0)).containsExactly("http.HandlerFunc.ServeHTTP", "", "12px");
        browser.driver.findElement(By.id("unzoom")).click();
        assertThat(labels(handler)).isEqualTo(atLoad);

        // zoomed into e: 59 px, smaller; 39.3 px, cut at 8 px to 8 characters
        frame("e").findElement(By.tagName("rect")).click();
        assertThat(labels(handler).get(2)).containsExactly("ServeHTTP", "font-size:11.1px", "11.1px");
        assertThat(labels(server)).containsExactly(List.of("ServeH..", "font-size:8.0px", "8px"));
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
