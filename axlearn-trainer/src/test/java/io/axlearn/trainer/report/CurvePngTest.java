package io.axlearn.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvePngTest {
    @TempDir Path run;

    @Test
    void drawsEachSummarysSeriesWhereItsDataIs() throws Exception {
        List<String> train = new ArrayList<>();
        for (int step = 0; step <= 100; step += 10) {
            train.add("{\"step\":" + step + ",\"loss\":" + (3.0 - step / 50.0) + "}");
        }
        write("train", train);
        write("eval", List.of("{\"step\":0,\"loss\":2.5}", "{\"step\":100,\"loss\":1.5}"));
        Path png = run.resolve("img/loss.png");
        CurvePng.write(run, "loss", png, 400, 300);

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(400, image.getWidth());
        assertEquals(300, image.getHeight());
        // Axes span steps 0..100 and loss 1..3: train's point (50, 2.0) and eval's (50, 2.0) too.
        CurvePng.Plot plot = new CurvePng.Plot(0, 100, 1, 3, 400, 300);
        assertTrue(near(image, plot.px(30), plot.py(2.4), CurvePng.COLORS.get(0)), "train line");
        assertTrue(near(image, plot.px(30), plot.py(2.2), CurvePng.COLORS.get(1)), "eval line");
        // Where neither series passes, the plot is background.
        assertTrue(
                !near(image, plot.px(80), plot.py(2.8), CurvePng.COLORS.get(0)), "no train there");
    }

    @Test
    void aMetricNoSummaryRecords_isOneLineError() throws Exception {
        write("train", List.of("{\"step\":1,\"loss\":2.0}"));
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> CurvePng.write(run, "accuracy", run.resolve("a.png"), 400, 300));
        assertTrue(
                e.getMessage().startsWith("--metric accuracy: no summary under"), e.getMessage());
    }

    private void write(String summary, List<String> lines) throws Exception {
        Path dir = run.resolve("summaries").resolve(summary);
        Files.createDirectories(dir);
        Files.write(dir.resolve("metrics.jsonl"), lines);
    }

    /** Whether a pixel within 2 of (x, y) has about {@code color}. */
    private static boolean near(BufferedImage image, int x, int y, Color color) {
        for (int dx = -2; dx <= 2; dx++) {
            for (int dy = -2; dy <= 2; dy++) {
                Color c = new Color(image.getRGB(x + dx, y + dy));
                int d =
                        Math.abs(c.getRed() - color.getRed())
                                + Math.abs(c.getGreen() - color.getGreen())
                                + Math.abs(c.getBlue() - color.getBlue());
                if (d < 60) {
                    return true;
                }
            }
        }
        return false;
    }
}
