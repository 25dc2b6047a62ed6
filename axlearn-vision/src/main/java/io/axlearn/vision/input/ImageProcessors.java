package io.axlearn.vision.input;

import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.Processor;
import io.axlearn.core.module.Seeds;
import java.util.Arrays;
import java.util.List;

/**
 * Processors of the {@link ImageFeatures#IMAGE} feature ({@code float[C*H*W]}, CHW). The random
 * ones draw from their {@code seed} and the input's draw number ({@link Processor#apply(Example,
 * long)}), so an image gets a new crop and flip every epoch while a pipeline stays deterministic
 * for a seed and resumable (a processor holds no state between examples). Called without a draw
 * number they draw from the image's contents instead.
 */
public final class ImageProcessors {
    private ImageProcessors() {}

    /** Shape fields shared by the image processors. */
    abstract static class ShapeConfig<S extends ShapeConfig<S>> extends Processor.Config<S> {
        /** Channels of the image. */
        @Required Integer channels;

        /** Height of the image in pixels. */
        @Required Integer height;

        /** Width of the image in pixels. */
        @Required Integer width;

        /** Sets channels, height and width. */
        public S shape(int c, int h, int w) {
            return set(
                    () -> {
                        channels = c;
                        height = h;
                        width = w;
                    });
        }

        @Override
        protected void validate() {
            if (channels <= 0 || height <= 0 || width <= 0) {
                throw invalid(
                        "channels",
                        "shape must be positive, got " + channels + "x" + height + "x" + width);
            }
        }

        float[] image(Example e) {
            float[] img = e.floats(ImageFeatures.IMAGE);
            if (img.length != channels * height * width) {
                throw new IllegalArgumentException(
                        path()
                                + ": image has "
                                + img.length
                                + " values, expected "
                                + channels
                                + "x"
                                + height
                                + "x"
                                + width);
            }
            return img;
        }
    }

    /** A generator of the image's contents and a seed (SplitMix64 over the float bits). */
    static long mix(float[] img, long seed) {
        long h = seed * 0x9E3779B97F4A7C15L + Arrays.hashCode(img);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /**
     * Normalises each channel: {@code (x - mean[c]) / std[c]}. {@code mean} and {@code std} have
     * one value per channel.
     */
    public static final class Normalize extends ShapeConfig<Normalize> {
        /** Per-channel mean, subtracted. */
        @Required private List<Double> mean;

        /** Per-channel standard deviation, divided by; each positive. */
        @Required private List<Double> std;

        /** Sets mean and std. */
        public Normalize meanStd(List<Double> m, List<Double> s) {
            return set(
                    () -> {
                        mean = List.copyOf(m);
                        std = List.copyOf(s);
                    });
        }

        @Override
        protected void validate() {
            super.validate();
            if (mean.size() != channels || std.size() != channels) {
                throw invalid("mean", "mean and std need " + channels + " values each");
            }
            for (double s : std) {
                if (!(s > 0)) {
                    throw invalid("std", "must be positive, got " + std);
                }
            }
        }

        @Override
        protected Processor create() {
            int plane = height * width;
            float[] m = new float[channels];
            float[] inv = new float[channels];
            for (int c = 0; c < channels; c++) {
                m[c] = mean.get(c).floatValue();
                inv[c] = (float) (1 / std.get(c));
            }
            return e -> {
                float[] img = image(e);
                float[] out = new float[img.length];
                for (int i = 0; i < img.length; i++) {
                    int c = i / plane;
                    out[i] = (img[i] - m[c]) * inv[c];
                }
                return e.with(ImageFeatures.IMAGE, out);
            };
        }
    }

    /** Mirrors the image left-right with probability {@code probability}. */
    public static final class RandomFlip extends ShapeConfig<RandomFlip> {
        /** Probability of flipping, in [0, 1]. */
        private double probability = 0.5;

        /** Seed of the draw. */
        private long seed = 0;

        /** Sets the probability. */
        public RandomFlip probability(double v) {
            return set(() -> probability = v);
        }

        /** Sets the seed. */
        public RandomFlip seed(long v) {
            return set(() -> seed = v);
        }

        @Override
        protected void validate() {
            super.validate();
            if (!(probability >= 0 && probability <= 1)) {
                throw invalid("probability", "must be in [0, 1], got " + probability);
            }
        }

        @Override
        protected Processor create() {
            return new RandomProcessor(seed) {
                @Override
                Example apply(Example e, float[] img, long r) {
                    double u = (r >>> 11) * 0x1.0p-53;
                    if (u >= probability) {
                        return e;
                    }
                    float[] out = new float[img.length];
                    for (int row = 0; row < channels * height; row++) {
                        int base = row * width;
                        for (int x = 0; x < width; x++) {
                            out[base + x] = img[base + width - 1 - x];
                        }
                    }
                    return e.with(ImageFeatures.IMAGE, out);
                }

                @Override
                float[] image(Example e) {
                    return RandomFlip.this.image(e);
                }
            };
        }
    }

    /**
     * Pads the image by {@code padding} zero pixels on each side and crops a random {@code height x
     * width} window of it (the CIFAR / Fashion-MNIST augmentation of He et al. 2015,
     * https://arxiv.org/abs/1512.03385).
     */
    public static final class RandomCrop extends ShapeConfig<RandomCrop> {
        /** Zero pixels added on each side before cropping. */
        private int padding = 4;

        /** Seed of the draw. */
        private long seed = 0;

        /** Sets the padding. */
        public RandomCrop padding(int v) {
            return set(() -> padding = v);
        }

        /** Sets the seed. */
        public RandomCrop seed(long v) {
            return set(() -> seed = v);
        }

        @Override
        protected void validate() {
            super.validate();
            if (padding < 0) {
                throw invalid("padding", "must not be negative, got " + padding);
            }
        }

        @Override
        protected Processor create() {
            return new RandomProcessor(seed) {
                @Override
                float[] image(Example e) {
                    return RandomCrop.this.image(e);
                }

                @Override
                Example apply(Example e, float[] img, long r) {
                    int range = 2 * padding + 1;
                    int dy = (int) Long.remainderUnsigned(r, range) - padding;
                    int dx = (int) Long.remainderUnsigned(r >>> 32, range) - padding;
                    float[] out = new float[img.length];
                    int plane = height * width;
                    for (int c = 0; c < channels; c++) {
                        for (int y = 0; y < height; y++) {
                            int sy = y + dy;
                            if (sy < 0 || sy >= height) {
                                continue;
                            }
                            for (int x = 0; x < width; x++) {
                                int sx = x + dx;
                                if (sx >= 0 && sx < width) {
                                    out[c * plane + y * width + x] =
                                            img[c * plane + sy * width + sx];
                                }
                            }
                        }
                    }
                    return e.with(ImageFeatures.IMAGE, out);
                }
            };
        }
    }

    /**
     * A processor that draws one 64-bit number per example: from the input's draw number when the
     * input gives one (a new draw every epoch), else from the image's contents.
     */
    abstract static class RandomProcessor implements Processor {
        private final long seed;

        RandomProcessor(long seed) {
            this.seed = seed;
        }

        abstract float[] image(Example e);

        abstract Example apply(Example e, float[] img, long random);

        @Override
        public Example apply(Example e) {
            float[] img = image(e);
            return apply(e, img, mix(img, seed));
        }

        @Override
        public Example apply(Example e, long draw) {
            return apply(e, image(e), Seeds.derive(seed, Long.toString(draw)));
        }
    }
}
