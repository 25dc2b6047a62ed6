package io.axlearn.trainer.report;

import io.axlearn.core.config.ConfigException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import javax.imageio.ImageIO;

/**
 * One scalar of a run ({@code loss} by default) against the step, drawn as a PNG for docs with
 * Java2D, headless: axes with ticks, one line per summary that recorded it ({@code train} and each
 * evaler) in {@link #COLORS} order, and a legend. No browser needed.
 */
public final class CurvePng {
    /** Series colours, in summary order ({@code train} first). */
    public static final List<Color> COLORS =
            List.of(
                    new Color(0x1f77b4),
                    new Color(0xd62728),
                    new Color(0x2ca02c),
                    new Color(0x9467bd),
                    new Color(0xff7f0e));

    /** Plot area margins in pixels: left, right, top, bottom. */
    static final int LEFT = 70, RIGHT = 20, TOP = 30, BOTTOM = 45;

    private CurvePng() {}

    /**
     * Draws {@code metric} of {@code trainerDir}'s summaries into {@code output}.
     *
     * @throws ConfigException if the run directory has no summary with that scalar, or the file
     *     cannot be written
     */
    public static void write(Path trainerDir, String metric, Path output, int width, int height) {
        List<RunReport.Summary> series = new ArrayList<>();
        for (RunReport.Summary s : RunReport.summaries(trainerDir)) {
            if (s.scalars().containsKey(metric) && !s.scalars().get(metric).isEmpty()) {
                series.add(s);
            }
        }
        if (series.isEmpty()) {
            throw new ConfigException(
                    "--metric "
                            + metric
                            + ": no summary under "
                            + trainerDir.resolve("summaries")
                            + " records it");
        }
        BufferedImage image = draw(series, metric, width, height);
        try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(image, "png", output.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot write " + output + ": " + e.getMessage(), e);
        }
    }

    static BufferedImage draw(
            List<RunReport.Summary> series, String metric, int width, int height) {
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (RunReport.Summary s : series) {
            for (Map.Entry<Long, Double> e : s.scalars().get(metric).entrySet()) {
                minX = Math.min(minX, e.getKey());
                maxX = Math.max(maxX, e.getKey());
                if (Double.isFinite(e.getValue())) {
                    minY = Math.min(minY, e.getValue());
                    maxY = Math.max(maxY, e.getValue());
                }
            }
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        if (maxY == minY) {
            maxY = minY + 1;
        }
        Plot plot = new Plot(minX, maxX, minY, maxY, width, height);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        // Axes and ticks.
        g.setColor(Color.DARK_GRAY);
        g.drawRect(LEFT, TOP, width - LEFT - RIGHT, height - TOP - BOTTOM);
        for (int i = 0; i <= 5; i++) {
            double x = minX + (maxX - minX) * i / 5;
            int px = plot.px(x);
            g.drawLine(px, height - BOTTOM, px, height - BOTTOM + 4);
            String label = String.format(Locale.ROOT, "%d", Math.round(x));
            g.drawString(
                    label, px - g.getFontMetrics().stringWidth(label) / 2, height - BOTTOM + 16);
            double y = minY + (maxY - minY) * i / 5;
            int py = plot.py(y);
            g.drawLine(LEFT - 4, py, LEFT, py);
            String value = String.format(Locale.ROOT, "%.3g", y);
            g.drawString(value, LEFT - 6 - g.getFontMetrics().stringWidth(value), py + 4);
        }
        g.drawString("step", width / 2 - 12, height - 8);
        g.drawString(metric, 8, TOP - 10);
        // Series, then the legend at the top right.
        g.setStroke(new BasicStroke(2f));
        for (int i = 0; i < series.size(); i++) {
            g.setColor(COLORS.get(i % COLORS.size()));
            SortedMap<Long, Double> points = series.get(i).scalars().get(metric);
            int[] last = null;
            for (Map.Entry<Long, Double> e : points.entrySet()) {
                if (!Double.isFinite(e.getValue())) {
                    last = null;
                    continue;
                }
                int[] p = {plot.px(e.getKey()), plot.py(e.getValue())};
                if (last != null) {
                    g.drawLine(last[0], last[1], p[0], p[1]);
                } else if (points.size() == 1) {
                    g.fillOval(p[0] - 3, p[1] - 3, 6, 6);
                }
                last = p;
            }
            int ly = TOP + 14 + 16 * i;
            int lx = width - RIGHT - 110;
            g.drawLine(lx, ly - 4, lx + 20, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(series.get(i).name(), lx + 26, ly);
        }
        g.dispose();
        return image;
    }

    /** Data to pixel coordinates of the plot area. */
    record Plot(double minX, double maxX, double minY, double maxY, int width, int height) {
        int px(double x) {
            return LEFT + (int) Math.round((x - minX) / (maxX - minX) * (width - LEFT - RIGHT));
        }

        int py(double y) {
            return height
                    - BOTTOM
                    - (int) Math.round((y - minY) / (maxY - minY) * (height - TOP - BOTTOM));
        }
    }
}
