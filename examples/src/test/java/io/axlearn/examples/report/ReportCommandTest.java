package io.axlearn.examples.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.examples.text.SmallRun;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code axlearn report} on a shrunken text.charlm run trained through the command line. */
class ReportCommandTest {
    @TempDir Path dir;

    @Test
    void report_plotsEveryScalarOfTrainAndEval_andChromiumDrawsTheCharts() throws Exception {
        Path run = dir.resolve("run");
        SmallRun.Result trained = SmallRun.run(SmallRun.trainArgs(run, 40));
        assertEquals(0, trained.status(), trained.err());

        SmallRun.Result report = SmallRun.run(List.of("report", "--trainer-dir", run.toString()));
        assertEquals(0, report.status(), report.err());
        Path html = run.resolve("report.html");
        assertEquals("wrote " + html, report.out().strip());
        String page = Files.readString(html);
        assertTrue(!page.contains("<script src") && !page.contains("<link"), "self-contained");
        assertTrue(page.contains("uPlot"), "the chart library is inlined");
        JsonNode data =
                new ObjectMapper()
                        .readTree(
                                page.substring(
                                        page.indexOf("const DATA = ") + 13,
                                        page.indexOf(";\n", page.indexOf("const DATA = "))));
        JsonNode loss = data.get("charts").get(0);
        assertEquals("loss", loss.get("name").asText());
        assertEquals("train", loss.get("series").get(0).get("label").asText());
        assertEquals("validation", loss.get("series").get(1).get("label").asText());
        assertEquals(40, loss.get("x").size(), "a train loss every step (summaryEveryNSteps=1)");
        // Validation ran at steps 20 and 40: null elsewhere.
        JsonNode validation = loss.get("series").get(1).get("values");
        assertTrue(
                validation.get(19).isNumber() && validation.get(0).isNull(), validation.toString());
        List<String> names = data.get("charts").findValuesAsText("name").stream().sorted().toList();
        assertTrue(
                names.containsAll(
                        List.of("accuracy", "gradient_norm", "learning_rate", "steps_per_second")),
                names.toString());
        String checkpoints =
                page.substring(page.indexOf("id=\"checkpoints\""), page.indexOf("<h2>Config"));
        // Saved every 10 steps, the last 3 kept.
        assertTrue(
                checkpoints.contains("<td>30</td>")
                        && checkpoints.contains("<td>40</td>")
                        && !checkpoints.contains("<td>10</td>"),
                checkpoints);
        assertTrue(page.contains("model.decoder.numLayers"), "the config");

        Path png = dir.resolve("report.png");
        try {
            HeadlessChromium.screenshot(html, png, 1280, 1000);
        } catch (HeadlessChromium.Unavailable e) {
            // Everything above is checked; only the browser's picture needs the package.
            Assumptions.abort("the screenshot check needs Debian's chromium: " + e.getMessage());
        }
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(
                count(image, 0x1f77b4) > 300,
                "the train lines are drawn: " + count(image, 0x1f77b4) + " pixels");
        assertTrue(
                count(image, 0xd62728) > 30,
                "the validation lines are drawn: " + count(image, 0xd62728) + " pixels");
    }

    @Test
    void notARunDirectory_isOneLine() {
        SmallRun.Result report =
                SmallRun.run(List.of("report", "--trainer-dir", dir.resolve("nothing").toString()));
        assertEquals(2, report.status());
        assertEquals(
                "error: --trainer-dir "
                        + dir.resolve("nothing")
                        + " has no config.json; is it a run directory?",
                report.err().strip());
    }

    /** Pixels within a small distance of {@code rgb} (anti-aliasing blends the line's edges). */
    private static int count(BufferedImage image, int rgb) {
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int d =
                        Math.abs((p >> 16 & 0xff) - r)
                                + Math.abs((p >> 8 & 0xff) - g)
                                + Math.abs((p & 0xff) - b);
                if (d < 40) {
                    n++;
                }
            }
        }
        return n;
    }
}
