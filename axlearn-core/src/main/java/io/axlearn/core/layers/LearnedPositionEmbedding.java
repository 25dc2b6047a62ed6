package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.init.Initializer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

/**
 * Learned absolute position embeddings (GPT-2, BERT, ViT): a trained vector per position up to
 * {@code maxPositions}, added to the token embeddings.
 *
 * <p>Parameter {@code weight [maxPositions, dim]}, initialised normal with standard deviation 0.02
 * (GPT-2's and BERT's choice). A sequence reaching past {@code maxPositions} is an error that names
 * the limit.
 */
public final class LearnedPositionEmbedding extends AbsolutePositionEmbedding {

    /** Config of {@link LearnedPositionEmbedding}. */
    public static final class Config
            extends AbsolutePositionEmbedding.Config<Config, LearnedPositionEmbedding> {
        /** Number of positions with a vector (GPT-2: 1024, BERT: 512); sequences must fit. */
        @Required private Integer maxPositions;

        public Config maxPositions(int v) {
            return set(() -> maxPositions = v);
        }

        /** The number of positions. */
        public Integer maxPositions() {
            return maxPositions;
        }

        @Override
        protected void validate() {
            super.validate();
            if (maxPositions <= 0) {
                throw invalid("maxPositions", "must be positive, got " + maxPositions);
            }
        }

        @Override
        protected LearnedPositionEmbedding create() {
            return new LearnedPositionEmbedding(this);
        }
    }

    /** A new config; set {@code maxPositions} (the parent sets {@code dim}). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private LearnedPositionEmbedding(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of(
                "weight",
                ParamSpec.weight(new Shape(cfg.maxPositions, cfg.dim()), FanAxes.of(0, 1))
                        .withInitializer(Initializer.normal(0.02)));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code offset + length > maxPositions}
     */
    @Override
    public NDArray forward(ForwardContext ctx, long offset, int length) {
        if (offset < 0 || length <= 0 || offset + length > cfg.maxPositions) {
            throw new IllegalArgumentException(
                    ConfigPath.child(cfg.path(), "maxPositions")
                            + "="
                            + cfg.maxPositions
                            + " does not cover positions "
                            + offset
                            + ".."
                            + (offset + length - 1)
                            + " (a sequence of "
                            + length
                            + " from position "
                            + offset
                            + ")");
        }
        NDArray positions = ctx.manager().arange(offset, offset + length, 1, DataType.INT64);
        return Embedding.lookup(positions, ctx.param("weight"));
    }
}
