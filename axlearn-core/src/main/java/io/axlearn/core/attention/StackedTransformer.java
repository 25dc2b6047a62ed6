package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.StochasticDepth;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Transformer layers applied in sequence, children {@code layer0 .. layer<n-1>}. The layers come
 * from one of two forms (exactly one):
 *
 * <ul>
 *   <li>a template: {@code numLayers} copies of the {@code layer} slot;
 *   <li>a list: {@code layers}, one config per layer (alternating structures or attention types,
 *       depth-scaled stochastic depth: {@link #depthScaledStochasticDepth}).
 * </ul>
 *
 * <p>Parameter paths are the same for both forms ({@code layer3/self_attention/q_proj/weight}).
 * Shapes: {@code [B, T, inputDim]} in and out.
 */
public final class StackedTransformer extends BaseLayer {

    /** Config of {@link StackedTransformer}. */
    public static final class Config extends BaseLayer.Config<Config, StackedTransformer> {
        /** Model dimension; parent-owned. */
        @Required private Integer inputDim;

        /** Number of copies of {@code layer}; with the template form only. */
        private Integer numLayers;

        /**
         * The layer template, copied {@code numLayers} times; the stack writes its {@code
         * inputDim}.
         */
        private TransformerLayer.Config layer;

        /** One config per layer, instead of {@code numLayers} and {@code layer}. */
        private List<TransformerLayer.Config> layers;

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config numLayers(int v) {
            return set(() -> numLayers = v);
        }

        /** Sets the template (stored as a copy). */
        public Config layer(TransformerLayer.Config v) {
            return set(() -> layer = v.copy());
        }

        /** Sets one config per layer (each stored as a copy). */
        public Config layers(List<TransformerLayer.Config> v) {
            return set(
                    () ->
                            layers =
                                    new ArrayList<>(
                                            v.stream()
                                                    .map(TransformerLayer.Config::copy)
                                                    .toList()));
        }

        /** The layer template, or {@code null} with the list form. */
        public TransformerLayer.Config layer() {
            return layer;
        }

        /**
         * The config of each layer in order: the template {@code numLayers} times, or the list;
         * unmodifiable.
         */
        public List<TransformerLayer.Config> layerConfigs() {
            if (layers != null) {
                return Collections.unmodifiableList(layers);
            }
            // Empty until valid: a parent may read the layers before this config is validated,
            // and validate() then names numLayers.
            return layer == null || numLayers == null || numLayers <= 0
                    ? List.of()
                    : Collections.nCopies(numLayers, layer);
        }

        /**
         * Applies {@code edit} to the template or to every config of the list; for a parent that
         * owns a field of every layer (a model writing its rotary embedding into the attention).
         */
        public Config editLayers(Consumer<TransformerLayer.Config> edit) {
            return set(
                    () -> {
                        if (layers != null) {
                            layers.forEach(edit);
                        } else if (layer != null) {
                            edit.accept(layer);
                        }
                    });
        }

        @Override
        protected void validate() {
            if (layers != null) {
                if (numLayers != null || layer != null) {
                    throw invalid(
                            "layers",
                            "is set together with "
                                    + (numLayers != null ? "numLayers" : "layer")
                                    + "; set either numLayers and layer (one template) or layers"
                                    + " (one config per layer)");
                }
                if (layers.isEmpty()) {
                    throw invalid("layers", "must not be empty");
                }
                return;
            }
            if (numLayers == null || layer == null) {
                throw invalid(
                        numLayers == null ? "numLayers" : "layer",
                        "is required: set numLayers and layer (one template) or layers (one"
                                + " config per layer)");
            }
            if (numLayers <= 0) {
                throw invalid("numLayers", "must be positive, got " + numLayers);
            }
        }

        @Override
        protected StackedTransformer create() {
            return new StackedTransformer(this);
        }
    }

    /** A new config; set {@code numLayers} and {@code layer}, or {@code layers}. */
    public static Config config() {
        return new Config();
    }

    /**
     * Per-layer configs with stochastic depth growing linearly with depth (<a
     * href="https://arxiv.org/abs/1603.09382">Huang et al. 2016</a>; DeiT, Swin): layer {@code i}
     * of {@code n} gets rate {@code peakRate * i / (n - 1)}, from 0 at the bottom to {@code
     * peakRate} at the top.
     *
     * @param template the layer config that every layer copies
     * @param numLayers number of layers, positive
     * @param peakRate rate of the top layer, in {@code [0, 1)}
     * @return configs for {@link Config#layers}
     */
    public static List<TransformerLayer.Config> depthScaledStochasticDepth(
            TransformerLayer.Config template, int numLayers, double peakRate) {
        if (numLayers <= 0) {
            throw new IllegalArgumentException("numLayers must be positive, got " + numLayers);
        }
        List<TransformerLayer.Config> out = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            double rate = numLayers == 1 ? peakRate : peakRate * i / (numLayers - 1);
            out.add(template.copy().stochasticDepth(StochasticDepth.config().rate(rate)));
        }
        return out;
    }

    private final List<TransformerLayer> layers = new ArrayList<>();

    private final Config cfg;

    private StackedTransformer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        List<TransformerLayer.Config> configs = cfg.layerConfigs();
        for (int i = 0; i < configs.size(); i++) {
            layers.add(child("layer" + i, configs.get(i), c -> c.inputDim(cfg.inputDim)));
        }
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * @param ctx this layer's context
     * @param x {@code [B, T, inputDim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray h = x;
        for (TransformerLayer layer : layers) {
            h = layer.forward(ctx.child(layer), h);
        }
        return h;
    }

    /**
     * @param ctx this layer's context
     * @param x {@code [B, T, inputDim]}
     * @param bias additive attention bias shared by every layer (padding, segments)
     */
    public NDArray forward(ForwardContext ctx, NDArray x, NDArray bias) {
        Objects.requireNonNull(bias, "bias (use forward(ctx, x) for none)");
        NDArray h = x;
        for (TransformerLayer layer : layers) {
            h = layer.forward(ctx.child(layer), h, bias);
        }
        return h;
    }

    /** Empty caches, one per layer. */
    public List<KvCache> emptyCaches() {
        return Collections.nCopies(layers.size(), KvCache.EMPTY);
    }

    /**
     * One decoding step through every layer.
     *
     * @param ctx this layer's context
     * @param caches one cache per layer (see {@link #emptyCaches()})
     * @param xStep {@code [B, 1, inputDim]}
     */
    public Step extendStep(ForwardContext ctx, List<KvCache> caches, NDArray xStep) {
        if (caches.size() != layers.size()) {
            throw new IllegalArgumentException(
                    "got " + caches.size() + " caches for " + layers.size() + " layers");
        }
        NDArray h = xStep;
        List<KvCache> next = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            TransformerLayer layer = layers.get(i);
            TransformerLayer.Step s = layer.extendStep(ctx.child(layer), caches.get(i), h);
            h = s.data();
            next.add(s.cache());
        }
        return new Step(h, List.copyOf(next));
    }

    /**
     * Output of a decoding step.
     *
     * @param data {@code [B, 1, inputDim]}
     * @param caches the per-layer caches including this step
     */
    public record Step(NDArray data, List<KvCache> caches) {}
}
