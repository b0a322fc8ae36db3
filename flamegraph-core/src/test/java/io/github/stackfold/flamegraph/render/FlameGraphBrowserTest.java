package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The SVG's own script in Debian's headless Chromium: zoom, reset, search (button and Ctrl-F) with
 * the matched share, case toggle, details on hover, state in the URL, and hostile frame names.
 */
class FlameGraphBrowserTest {
    /** Counts add up to 100, so shares are easy to read; widths are computed from them below. */
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
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    static Path render(String name, byte[] folded, FlameGraphOptions options) throws Exception {
        Path svg = dir.resolve(name + ".svg");
        FoldedSamples samples = FoldedSamples.read(new ByteArrayInputStream(folded), name);
        try (OutputStream out = Files.newOutputStream(svg)) {
            FlameGraphRenderer.of(options).render(samples, out);
        }
        return svg;
    }

    static WebElement frame(String name) {
        for (WebElement g : browser.driver.findElements(By.cssSelector("#frames > *"))) {
            String title = g.findElement(By.tagName("title")).getAttribute("textContent");
            if (title.startsWith(name + " (")) {
                return g;
            }
        }
        throw new AssertionError("no frame " + name);
    }

    static double width(String name) {
        return Double.parseDouble(frame(name).findElement(By.tagName("rect")).getAttribute("width"));
    }

    static boolean hidden(String name) {
        return frame(name).getAttribute("class") != null && frame(name).getAttribute("class").contains("hide");
    }

    static String text(String id) {
        return browser.driver.findElement(By.id(id)).getAttribute("textContent");
    }

    /** The share of samples whose stack has a frame matching the regex: what "Matched" must say. */
    static String expectedShare(String regex, boolean ignoreCase) {
        Pattern p = Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        long matched = 0;
        long total = 0;
        for (String line : FOLDED.split("\n")) {
            int sp = line.lastIndexOf(' ');
            long count = Long.parseLong(line.substring(sp + 1));
            total += count;
            for (String f : line.substring(0, sp).split(";")) {
                if (p.matcher(f).find()) {
                    matched += count;
                    break;
                }
            }
        }
        return String.format(Locale.ROOT, "Matched: %.1f%%", 100.0 * matched / total);
    }

    static void answerPrompt(String value) {
        Alert prompt = new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys(value);
        prompt.accept();
    }

    @Test
    void clickZoomsIntoAFrameAndTheUrlReopensTheZoomUntilReset() throws Exception {
        Path svg = render("zoom", FOLDED.getBytes(StandardCharsets.ISO_8859_1), FlameGraphOptions.defaults());
        browser.driver.get(svg.toUri().toString());
        double full = 1200 - 2 * 10;
        assertThat(width("render")).isEqualTo(Math.round(full * 35 / 100 * 10) / 10.0);
        assertThat(text("unzoom")).isEqualTo("Reset Zoom");
        assertThat(browser.driver.findElement(By.id("unzoom")).getAttribute("class")).contains("hide");

        frame("render").findElement(By.tagName("rect")).click();

        assertThat(width("render")).isEqualTo(full);
        assertThat(width("draw_frames")).isCloseTo(full * 25 / 35, org.assertj.core.data.Offset.offset(0.06));
        assertThat(width("Draw_Text")).isCloseTo(full * 10 / 35, org.assertj.core.data.Offset.offset(0.06));
        assertThat(width("main")).isEqualTo(full);
        assertThat(frame("main").getAttribute("class")).contains("parent");
        assertThat(hidden("parse")).isTrue();
        assertThat(hidden("vfs_write")).isTrue();
        assertThat(browser.driver.getCurrentUrl()).contains("#z=");
        assertThat(browser.driver.findElement(By.id("unzoom")).getAttribute("class")).doesNotContain("hide");

        browser.driver.navigate().refresh();
        assertThat(width("render")).isEqualTo(full);
        assertThat(hidden("parse")).isTrue();

        browser.driver.findElement(By.id("unzoom")).click();
        assertThat(width("render")).isEqualTo(Math.round(full * 35 / 100 * 10) / 10.0);
        assertThat(hidden("parse")).isFalse();
        assertThat(browser.driver.getCurrentUrl()).doesNotContain("#z=");
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void searchShowsTheMatchedShareCountingNestedMatchesOnceAndKeepsItInTheUrl() throws Exception {
        Path svg = render("search", FOLDED.getBytes(StandardCharsets.ISO_8859_1), FlameGraphOptions.defaults());
        browser.driver.get(svg.toUri().toString());

        new Actions(browser.driver).keyDown(Keys.CONTROL).sendKeys("f").keyUp(Keys.CONTROL).perform();
        answerPrompt("vfs_");
        assertThat(text("matched")).isEqualTo(expectedShare("vfs_", false)).isEqualTo("Matched: 35.0%");
        assertThat(frame("vfs_read").findElement(By.tagName("rect")).getAttribute("fill")).isEqualTo("rgb(230,0,230)");
        assertThat(text("search")).isEqualTo("Reset Search");

        browser.driver.findElement(By.id("search")).click(); // reset
        assertThat(text("matched").trim()).isEmpty();
        assertThat(frame("vfs_read").findElement(By.tagName("rect")).getAttribute("fill")).isNotEqualTo("rgb(230,0,230)");

        browser.driver.findElement(By.id("search")).click();
        answerPrompt("parse|lex|read");
        assertThat(text("matched")).isEqualTo(expectedShare("parse|lex|read", false)).isEqualTo("Matched: 50.0%");
        assertThat(browser.driver.getCurrentUrl()).contains("s=parse%7Clex%7Cread");

        browser.driver.navigate().refresh();
        assertThat(text("matched")).isEqualTo("Matched: 50.0%");
        browser.driver.findElement(By.id("search")).click();
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void caseToggleMakesTheSearchIgnoreCase() throws Exception {
        Path svg = render("case", FOLDED.getBytes(StandardCharsets.ISO_8859_1), FlameGraphOptions.defaults());
        browser.driver.get(svg.toUri().toString() + "#s=draw");
        assertThat(text("matched")).isEqualTo(expectedShare("draw", false)).isEqualTo("Matched: 25.0%");
        browser.driver.findElement(By.id("ignorecase")).click();
        assertThat(text("matched")).isEqualTo(expectedShare("draw", true)).isEqualTo("Matched: 35.0%");
        assertThat(browser.driver.getCurrentUrl()).contains("i=1");
        browser.driver.findElement(By.id("ignorecase")).click();
        assertThat(text("matched")).isEqualTo("Matched: 25.0%");
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void hoveringAFrameShowsItsDetails() throws Exception {
        Path svg = render("hover", FOLDED.getBytes(StandardCharsets.ISO_8859_1),
                FlameGraphOptions.builder().nameType("Func:").countName("ms").build());
        browser.driver.get(svg.toUri().toString());
        new Actions(browser.driver).moveToElement(frame("lex").findElement(By.tagName("rect"))).perform();
        assertThat(text("details")).isEqualTo("Func: lex (30 ms, 30.00%)");
        new Actions(browser.driver).moveToElement(browser.driver.findElement(By.id("title"))).perform();
        assertThat(text("details").trim()).isEmpty();
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void hostileFrameNamesRenderAsTextAndNeverRun() throws Exception {
        List<String> names = new ArrayList<>(List.of(
                "<script>alert(1)</script>",
                "]]><script>alert(2)</script>",
                "\"onload=\"alert(3)",
                "<img src=x onerror=alert(4)>",
                "</text></g><script>alert(5)</script>",
                "javascript:alert(6)",
                "&lt &amp &#60script&#62")); // no semicolons: they split frames
        StringBuilder folded = new StringBuilder();
        for (String n : names) {
            folded.append("main;").append(n).append(" 10\n");
        }
        folded.append("main;bad\u00ff\u00fe\u00c3utf8 10\n"); // raw bytes FF FE C3: invalid UTF-8
        FlameGraphOptions options = FlameGraphOptions.builder()
                .title("</text><script>alert(7)</script>")
                .nameType("\"><script>alert(8)</script>")
                .countName("<b onmouseover=alert(9)>")
                .build();
        Path svg = render("hostile", folded.toString().getBytes(StandardCharsets.ISO_8859_1), options);
        browser.driver.get(svg.toUri().toString() + "#s=script");

        for (String n : names) {
            WebElement g = frame(n);
            new Actions(browser.driver).moveToElement(g.findElement(By.tagName("rect"))).perform();
        }
        frame("bad\ufffd\ufffd\ufffdutf8").findElement(By.tagName("rect")).click();
        frame("<script>alert(1)</script>");

        assertThatThrownBy(() -> browser.driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        Object scripts = browser.driver.executeScript("return document.getElementsByTagName('script').length");
        assertThat(((Number) scripts).intValue()).isEqualTo(1);
        assertThat(text("title")).isEqualTo("</text><script>alert(7)</script>");
        assertThat(browser.severeLogs()).isEmpty();
    }
}
