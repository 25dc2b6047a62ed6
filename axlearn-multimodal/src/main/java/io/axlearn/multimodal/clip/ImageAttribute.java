package io.axlearn.multimodal.clip;

import io.axlearn.core.config.FunctionConfig;
import io.axlearn.core.config.Required;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A word a caption gets from its image itself: a {@link Measure} of the pixels, a word below one
 * threshold and another above a second (none in between), for the labels it applies to. For
 * example, Fashion-MNIST items whose ink is dim get "dark" and bright ones "light"; handwritten
 * digits with a thin stroke get "thin" and thick ones "bold". Every measure is deterministic and
 * cheap (one or two passes over the pixels).
 *
 * <p>Images are one channel, {@code float[height * width]} row-major, values in {@code [0, 1]} with
 * 0 the background (MNIST and Fashion-MNIST before normalisation). A pixel above {@link #INK} is
 * ink.
 */
public final class ImageAttribute extends FunctionConfig<ImageAttribute, ImageAttribute.Rule> {
    /** Pixels above this value are ink (foreground). */
    public static final float INK = 0.2f;

    /** What an attribute measures; each is a number per image, 0 for an image without ink. */
    public enum Measure {
        /** The area of the ink's bounding box over the image's area, in {@code [0, 1]}. */
        BOX_AREA,
        /** The ink's bounding box width over its height. */
        ASPECT,
        /** The mean value of the ink pixels, in {@code (INK, 1]}: dim or bright ink. */
        BRIGHTNESS,
        /**
         * The mean stroke width in pixels: twice the ink pixels over the ink pixels on the ink's
         * boundary (with a 4-neighbour that is not ink, the image's outside included).
         */
        STROKE_WIDTH,
        /**
         * The slant: {@code -cov(x, y) / var(y)} of the pixel-value-weighted coordinates, {@code y}
         * pointing down; the horizontal shift per row going up. Positive leans right ("/"),
         * negative leans left ("\").
         */
        SLANT,
        /**
         * The horizontal offset of the centre of mass from the image's centre, in image widths:
         * negative left, positive right, in {@code [-0.5, 0.5]}.
         */
        CENTRE_X;

        /** This measure of a {@code height x width} image. */
        public double of(float[] image, int height, int width) {
            return switch (this) {
                case BOX_AREA, ASPECT -> box(image, height, width);
                case BRIGHTNESS -> brightness(image);
                case STROKE_WIDTH -> strokeWidth(image, height, width);
                case SLANT, CENTRE_X -> moments(image, height, width);
            };
        }

        private double box(float[] image, int height, int width) {
            int top = height;
            int bottom = -1;
            int left = width;
            int right = -1;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (image[y * width + x] > INK) {
                        top = Math.min(top, y);
                        bottom = Math.max(bottom, y);
                        left = Math.min(left, x);
                        right = Math.max(right, x);
                    }
                }
            }
            if (bottom < 0) {
                return 0;
            }
            double h = bottom - top + 1;
            double w = right - left + 1;
            return this == BOX_AREA ? h * w / ((double) height * width) : w / h;
        }

        private static double brightness(float[] image) {
            double sum = 0;
            int count = 0;
            for (float v : image) {
                if (v > INK) {
                    sum += v;
                    count++;
                }
            }
            return count == 0 ? 0 : sum / count;
        }

        private static double strokeWidth(float[] image, int height, int width) {
            int ink = 0;
            int boundary = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (!(image[y * width + x] > INK)) {
                        continue;
                    }
                    ink++;
                    boolean inside =
                            isInk(image, height, width, y - 1, x)
                                    && isInk(image, height, width, y + 1, x)
                                    && isInk(image, height, width, y, x - 1)
                                    && isInk(image, height, width, y, x + 1);
                    if (!inside) {
                        boundary++;
                    }
                }
            }
            return boundary == 0 ? 0 : 2.0 * ink / boundary;
        }

        private static boolean isInk(float[] image, int height, int width, int y, int x) {
            return y >= 0 && y < height && x >= 0 && x < width && image[y * width + x] > INK;
        }

        private double moments(float[] image, int height, int width) {
            double mass = 0;
            double sx = 0;
            double sy = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double v = image[y * width + x];
                    mass += v;
                    sx += v * x;
                    sy += v * y;
                }
            }
            if (!(mass > 0)) {
                return 0;
            }
            double cx = sx / mass;
            double cy = sy / mass;
            if (this == CENTRE_X) {
                return (cx - (width - 1) / 2.0) / width;
            }
            double cov = 0;
            double var = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double v = image[y * width + x];
                    cov += v * (x - cx) * (y - cy);
                    var += v * (y - cy) * (y - cy);
                }
            }
            return var > 0 ? -cov / var : 0;
        }
    }

    /** The attribute of one image. */
    public interface Rule {
        /**
         * The word of {@code image} (label {@code label}), or empty when the measure falls between
         * the thresholds or the label is not one this attribute describes.
         */
        Optional<String> word(float[] image, int height, int width, int label);

        /** Whether the word follows the class name ("a seven leaning right") or precedes it. */
        boolean afterNoun();
    }

    /** What the attribute measures. */
    @Required private Measure measure;

    /** Images whose measure is below this get {@code lowWord}. */
    @Required private Double below;

    /** The word of a low measure ("small", "thin"). */
    @Required private String lowWord;

    /** Images whose measure is above this get {@code highWord}; at least {@code below}. */
    @Required private Double above;

    /** The word of a high measure ("large", "bold"). */
    @Required private String highWord;

    /** The labels this attribute describes; empty: every label. */
    private List<Integer> labels = new ArrayList<>();

    /** Put the word after the class name ("a seven leaning right"), not before it. */
    private boolean afterNoun = false;

    /** Sets the measure. */
    public ImageAttribute measure(Measure v) {
        return set(() -> measure = v);
    }

    /** Sets the word of measures below {@code threshold}. */
    public ImageAttribute below(double threshold, String word) {
        return set(
                () -> {
                    below = threshold;
                    lowWord = word;
                });
    }

    /** Sets the word of measures above {@code threshold}. */
    public ImageAttribute above(double threshold, String word) {
        return set(
                () -> {
                    above = threshold;
                    highWord = word;
                });
    }

    /** Sets the labels described (copied; empty for all). */
    public ImageAttribute labels(List<Integer> v) {
        List<Integer> c = new ArrayList<>(v);
        return set(() -> labels = c);
    }

    /** Sets whether the word follows the class name. */
    public ImageAttribute afterNoun(boolean v) {
        return set(() -> afterNoun = v);
    }

    @Override
    protected void validate() {
        if (!(below <= above)) {
            throw invalid("above", "must be at least below = " + below + ", got " + above);
        }
        if (lowWord.isBlank()) {
            throw invalid("lowWord", "must not be blank");
        }
        if (highWord.isBlank()) {
            throw invalid("highWord", "must not be blank");
        }
    }

    @Override
    protected Rule create() {
        Measure m = measure;
        double low = below;
        double high = above;
        String lw = lowWord;
        String hw = highWord;
        List<Integer> only = List.copyOf(labels);
        boolean after = afterNoun;
        return new Rule() {
            @Override
            public Optional<String> word(float[] image, int height, int width, int label) {
                if (!only.isEmpty() && !only.contains(label)) {
                    return Optional.empty();
                }
                double v = m.of(image, height, width);
                return v < low ? Optional.of(lw) : v > high ? Optional.of(hw) : Optional.empty();
            }

            @Override
            public boolean afterNoun() {
                return after;
            }
        };
    }
}
