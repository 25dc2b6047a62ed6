package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import java.util.List;

/**
 * 2-d max or average pooling over {@code [N, C, H, W]}. With {@link ConvPadding.Same} padding, max
 * pooling ignores padded positions and average pooling averages over the real elements of each
 * window only (TensorFlow/axlearn semantics), also when the padding is asymmetric.
 */
public final class Pool2d extends BaseLayer {

    /** Which reduction a window applies. */
    public enum Kind {
        /** The maximum. */
        MAX,
        /** The mean of the real (unpadded) elements. */
        AVG
    }

    /** Config of {@link Pool2d}. */
    public static final class Config extends BaseLayer.Config<Config, Pool2d> {
        /** The reduction. */
        private Kind kind = Kind.MAX;

        /** Window size {@code [kh, kw]}. */
        @Required private List<Integer> kernelSize;

        /** Step {@code [sh, sw]}; null means the window size. */
        private List<Integer> strides;

        /** Padding: SAME, VALID or explicit. */
        private ConvPadding padding = new ConvPadding.Valid();

        public Config kind(Kind v) {
            return set(() -> kind = v);
        }

        public Config kernelSize(int h, int w) {
            return set(() -> kernelSize = List.of(h, w));
        }

        public Config strides(int h, int w) {
            return set(() -> strides = List.of(h, w));
        }

        public Config padding(ConvPadding v) {
            return set(() -> padding = v);
        }

        @Override
        protected void validate() {
            if (kernelSize.size() != 2 || kernelSize.stream().anyMatch(v -> v <= 0)) {
                throw invalid("kernelSize", "must be 2 positive integers, got " + kernelSize);
            }
            if (strides != null
                    && (strides.size() != 2 || strides.stream().anyMatch(v -> v <= 0))) {
                throw invalid("strides", "must be 2 positive integers, got " + strides);
            }
            if (padding instanceof ConvPadding.Causal) {
                throw invalid("padding", "CAUSAL is only for 1-d convolutions");
            }
        }

        @Override
        protected Pool2d create() {
            return new Pool2d(this);
        }
    }

    /** A new config (max pooling, VALID). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private Pool2d(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * @param ctx this layer's context
     * @param x {@code [N, C, H, W]}
     * @return {@code [N, C, H', W']}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        List<Integer> strides = cfg.strides != null ? cfg.strides : cfg.kernelSize;
        List<Integer> ones = List.of(1, 1);
        Shape kernel = ConvSupport.shape(cfg.kernelSize);
        Shape stride = ConvSupport.shape(strides);
        long[] sym = new long[2];
        if (cfg.kind == Kind.MAX) {
            NDArray padded =
                    ConvSupport.pad(
                            x,
                            cfg.padding,
                            cfg.kernelSize,
                            strides,
                            ones,
                            sym,
                            Double.NEGATIVE_INFINITY);
            if (sym[0] > 0 || sym[1] > 0) {
                // torch pads max pooling with -inf itself, but only up to half the window.
                padded =
                        padded.pad(
                                new Shape(sym[1], sym[1], sym[0], sym[0]),
                                Double.NEGATIVE_INFINITY);
            }
            return Pool.maxPool2d(padded, kernel, stride, new Shape(0, 0), false);
        }
        // Average over real elements: window sums of x divided by window counts of ones.
        NDArray padded = ConvSupport.pad(x, cfg.padding, cfg.kernelSize, strides, ones, sym, 0);
        Shape symmetric = new Shape(sym);
        NDArray sums = Pool.avgPool2d(padded, kernel, stride, symmetric, false, true);
        if (cfg.padding instanceof ConvPadding.Valid) {
            return sums;
        }
        NDArray ones4 =
                ctx.manager().ones(new Shape(1, 1, x.getShape().get(2), x.getShape().get(3)));
        NDArray onesPadded =
                ConvSupport.pad(ones4, cfg.padding, cfg.kernelSize, strides, ones, new long[2], 0);
        NDArray counts = Pool.avgPool2d(onesPadded, kernel, stride, symmetric, false, true);
        return sums.div(counts);
    }

    /** Global average pooling: {@code [N, C, H, W]} to {@code [N, C]}. */
    public static NDArray globalAverage(NDArray x) {
        return x.reshape(x.getShape().get(0), x.getShape().get(1), -1).mean(new int[] {2});
    }
}
