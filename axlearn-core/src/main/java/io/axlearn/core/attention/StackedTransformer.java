package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code numLayers} Transformer layers applied in sequence, children {@code layer0 ..
 * layer<numLayers-1>}, each built from a copy of the {@code layer} slot.
 *
 * <p>Shapes: {@code [B, T, inputDim]} in and out.
 */
public final class StackedTransformer extends BaseLayer {

    /** Config of {@link StackedTransformer}. */
    public static final class Config extends BaseLayer.Config<Config, StackedTransformer> {
        /** Model dimension; parent-owned. */
        @Required private Integer inputDim;

        /** Number of layers. */
        @Required private Integer numLayers;

        /** The layer template; the stack writes its {@code inputDim}. */
        private TransformerLayer.Config layer = TransformerLayer.config();

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config numLayers(int v) {
            return set(() -> numLayers = v);
        }

        public Config layer(TransformerLayer.Config v) {
            return set(() -> layer = v.copy());
        }

        /** The layer template. */
        public TransformerLayer.Config layer() {
            return layer;
        }

        @Override
        protected void validate() {
            if (numLayers <= 0) {
                throw invalid("numLayers", "must be positive, got " + numLayers);
            }
        }

        @Override
        protected StackedTransformer create() {
            return new StackedTransformer(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final List<TransformerLayer> layers = new ArrayList<>();

    private StackedTransformer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        for (int i = 0; i < cfg.numLayers; i++) {
            layers.add(child("layer" + i, cfg.layer, c -> c.inputDim(cfg.inputDim)));
        }
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * @param ctx this layer's context
     * @param x {@code [B, T, inputDim]}
     * @param bias additive attention bias shared by every layer, or {@code null}
     */
    public NDArray forward(ForwardContext ctx, NDArray x, NDArray bias) {
        NDArray h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(ctx.child("layer" + i), h, bias);
        }
        return h;
    }

    /** Empty caches, one per layer. */
    public List<KvCache> emptyCaches() {
        List<KvCache> caches = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            caches.add(KvCache.EMPTY);
        }
        return caches;
    }

    /**
     * One decoding step through every layer.
     *
     * @param ctx this layer's context
     * @param caches one cache per layer (see {@link #emptyCaches()})
     * @param xStep {@code [B, 1, inputDim]}
     */
    public Step extendStep(ForwardContext ctx, List<KvCache> caches, NDArray xStep) {
        NDArray h = xStep;
        List<KvCache> next = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            TransformerLayer.Step s =
                    layers.get(i).extendStep(ctx.child("layer" + i), caches.get(i), h);
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
