package io.axlearn.audio.asr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.Conv2d;
import io.axlearn.core.layers.ConvPadding;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * 4x time subsampling of filterbank features before a conformer (<a
 * href="https://arxiv.org/abs/2005.08100">Gulati et al. 2020</a>, as in ESPnet and axlearn's {@code
 * ConvSubsampler}): two 3x3 convolutions of stride 2 without padding, each followed by ReLU, over
 * {@code [B, 1, T, F]}, then a projection of the {@code channels * F''} features of each step to
 * {@code outputDim}. A length {@code n} becomes {@code ((n - 1) / 2 - 1) / 2} (integer division; 0
 * below 7 frames).
 *
 * <p>Children {@code conv1}, {@code conv2} ({@link Conv2d}) and {@code proj} ({@link Linear}).
 * Input {@code [B, T, F]}, output {@code [B, T'', outputDim]}.
 */
public final class ConvSubsampler extends BaseLayer {

    /** Config of {@link ConvSubsampler}. */
    public static final class Config extends BaseLayer.Config<Config, ConvSubsampler> {
        /** Feature bins {@code F} of the input; parent-owned. */
        @Required private Integer inputDim;

        /** Model dimension of the output; parent-owned. */
        @Required private Integer outputDim;

        /** Channels of both convolutions. */
        private int channels = 32;

        /** Sets the input bins. */
        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        /** Sets the output dimension. */
        public Config outputDim(int v) {
            return set(() -> outputDim = v);
        }

        /** Sets the channels. */
        public Config channels(int v) {
            return set(() -> channels = v);
        }

        @Override
        protected void validate() {
            if (inputDim < 7) {
                throw invalid("inputDim", "must be at least 7 bins, got " + inputDim);
            }
            if (channels <= 0) {
                throw invalid("channels", "must be positive, got " + channels);
            }
        }

        @Override
        protected ConvSubsampler create() {
            return new ConvSubsampler(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Linear proj;
    private final int outBins;

    private ConvSubsampler(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        Conv2d.Config conv =
                Conv2d.config().kernelSize(3, 3).strides(2, 2).padding(new ConvPadding.Valid());
        conv1 = child("conv1", conv, c -> c.inputDim(1).outputDim(cfg.channels));
        conv2 = child("conv2", conv, c -> c.inputDim(cfg.channels).outputDim(cfg.channels));
        outBins = subsampled(cfg.inputDim);
        proj =
                child(
                        "proj",
                        Linear.config(),
                        c -> c.inputDim(cfg.channels * outBins).outputDim(cfg.outputDim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /** The length after both convolutions. */
    public static int subsampled(int n) {
        int once = n < 3 ? 0 : (n - 3) / 2 + 1;
        return once < 3 ? 0 : (once - 3) / 2 + 1;
    }

    /** {@link #subsampled} of each length ({@code [B]} int64). */
    public NDArray subsampledLengths(NDArray lengths) {
        long[] len = lengths.toType(DataType.INT64, false).toLongArray();
        long[] out = new long[len.length];
        for (int i = 0; i < len.length; i++) {
            out[i] = subsampled((int) len[i]);
        }
        return lengths.getManager().create(out);
    }

    /** {@code [B, T, F]} to {@code [B, T'', outputDim]}. */
    public NDArray forward(ForwardContext ctx, NDArray features) {
        Shape s = features.getShape();
        NDArray x = features.reshape(s.get(0), 1, s.get(1), s.get(2));
        x = Activation.RELU.apply(conv1.forward(ctx.child(conv1), x));
        x = Activation.RELU.apply(conv2.forward(ctx.child(conv2), x));
        // [B, C, T'', F''] -> [B, T'', C * F'']
        Shape y = x.getShape();
        x = x.transpose(0, 2, 1, 3).reshape(y.get(0), y.get(2), y.get(1) * y.get(3));
        return proj.forward(ctx.child(proj), x);
    }
}
