package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of {@link Conv1d} and {@link Conv2d}: a grouped, strided, dilated convolution in PyTorch's
 * layouts — input {@code [N, C_in, spatial...]}, weight {@code [C_out, C_in / groups, kernel...]},
 * output {@code [N, C_out, spatial'...]}. (axlearn uses channels-last; on the PyTorch engine
 * channels-first avoids a permutation around every convolution.) Depthwise convolution is {@code
 * groups == inputDim}.
 *
 * <p>Training on AMD CPUs: set {@code ONEDNN_MAX_CPU_ISA=AVX} in the process environment (the
 * launcher does). Without it, PyTorch 2.7.1's oneDNN AVX2/AVX-512 kernels there return wrong (even
 * NaN) input gradients for batches of two or more with few channels; on Intel CPUs the goldens pass
 * uncapped (docs/layers.md, "Known issue").
 */
public abstract class ConvNd extends BaseLayer {

    /**
     * Config of convolutions.
     *
     * @param <S> the concrete config type
     * @param <T> the layer type
     */
    public abstract static class Config<S extends Config<S, T>, T extends ConvNd>
            extends BaseLayer.Config<S, T> {
        /** Input channels; usually written by the parent. */
        @Required private Integer inputDim;

        /** Output channels. */
        @Required private Integer outputDim;

        /** Window size per spatial axis. */
        @Required private List<Integer> kernelSize;

        /** Step per spatial axis; null means 1 everywhere. */
        private List<Integer> strides;

        /** Spacing of window elements per spatial axis; null means 1 everywhere. */
        private List<Integer> dilation;

        /** Channel groups; must divide both channel counts ({@code inputDim} for depthwise). */
        private int groups = 1;

        /** Padding mode. */
        private ConvPadding padding = new ConvPadding.Same();

        /** Whether to add a bias per output channel. */
        private boolean bias = true;

        public S inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public S outputDim(int v) {
            return set(() -> outputDim = v);
        }

        public S kernelSize(Integer... v) {
            return set(() -> kernelSize = List.of(v));
        }

        public S strides(Integer... v) {
            return set(() -> strides = List.of(v));
        }

        public S dilation(Integer... v) {
            return set(() -> dilation = List.of(v));
        }

        public S groups(int v) {
            return set(() -> groups = v);
        }

        public S padding(ConvPadding v) {
            return set(() -> padding = v);
        }

        public S bias(boolean v) {
            return set(() -> bias = v);
        }

        /** Number of spatial axes. */
        protected abstract int rank();

        List<Integer> orOnes(List<Integer> v) {
            return v != null ? v : Collections.nCopies(rank(), 1);
        }

        @Override
        protected void validate() {
            checkAxes("kernelSize", kernelSize);
            checkAxes("strides", orOnes(strides));
            checkAxes("dilation", orOnes(dilation));
            if (groups <= 0 || inputDim % groups != 0 || outputDim % groups != 0) {
                throw invalid(
                        "groups",
                        "must divide inputDim="
                                + inputDim
                                + " and outputDim="
                                + outputDim
                                + ", got "
                                + groups);
            }
            if (padding instanceof ConvPadding.Causal && rank() != 1) {
                throw invalid("padding", "CAUSAL is only for 1-d convolutions");
            }
            if (padding instanceof ConvPadding.Explicit e && e.beforeAfter().size() != rank()) {
                throw invalid(
                        "padding",
                        "needs " + rank() + " [before, after] pairs, got " + e.beforeAfter());
            }
        }

        private void checkAxes(String field, List<Integer> values) {
            if (values.size() != rank() || values.stream().anyMatch(v -> v <= 0)) {
                throw invalid(field, "must be " + rank() + " positive integers, got " + values);
            }
        }
    }

    private final Config<?, ?> cfg;
    private final List<Integer> strides;
    private final List<Integer> dilation;

    protected ConvNd(Config<?, ?> cfg) {
        super(cfg);
        this.cfg = cfg;
        this.strides = cfg.orOnes(cfg.strides);
        this.dilation = cfg.orOnes(cfg.dilation);
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        List<Long> dims =
                new ArrayList<>(List.of((long) cfg.outputDim, (long) cfg.inputDim / cfg.groups));
        cfg.kernelSize.forEach(k -> dims.add((long) k));
        Map<String, ParamSpec> specs = new LinkedHashMap<>();
        specs.put(
                "weight",
                ParamSpec.weight(
                        new Shape(dims.stream().mapToLong(Long::longValue).toArray()),
                        FanAxes.of(1, 0)));
        if (cfg.bias) {
            specs.put("bias", ParamSpec.bias(cfg.outputDim));
        }
        return specs;
    }

    /**
     * Convolves.
     *
     * @param ctx this layer's context
     * @param x {@code [N, inputDim, spatial...]}
     * @return {@code [N, outputDim, spatial'...]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        long[] symmetric = new long[cfg.rank()];
        NDArray padded =
                ConvSupport.pad(x, cfg.padding, cfg.kernelSize, strides, dilation, symmetric, 0);
        NDArray bias = cfg.bias ? ctx.param("bias") : null;
        return padded.getNDArrayInternal()
                .convolution(
                        padded,
                        ctx.param("weight"),
                        bias,
                        ConvSupport.shape(strides),
                        new Shape(symmetric),
                        ConvSupport.shape(dilation),
                        cfg.groups)
                .singletonOrThrow();
    }
}
