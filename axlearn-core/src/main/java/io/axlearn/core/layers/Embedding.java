package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.init.Initializer;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code dim}: {@code forward} maps ids to
 * vectors, {@code attend} maps vectors to logits over the table (a tied output layer, <a
 * href="https://arxiv.org/abs/1608.05859">Press and Wolf 2017</a>).
 *
 * <p>Parameter {@code weight [numEmbeddings, dim]}, initialised normal with standard deviation
 * {@code 1/sqrt(dim)} so that tied logits start near unit scale. Shapes: ids {@code [...]} (any
 * integer type) to {@code [..., dim]}; {@code attend}: {@code [..., dim]} to {@code [...,
 * numEmbeddings]}.
 */
public final class Embedding extends BaseLayer {

    /** Config of {@link Embedding}. */
    public static final class Config extends BaseLayer.Config<Config, Embedding> {
        /** Number of rows (the vocabulary size). */
        @Required private Integer numEmbeddings;

        /** Size of each vector; usually written by the parent. */
        @Required private Integer dim;

        public Config numEmbeddings(int v) {
            return set(() -> numEmbeddings = v);
        }

        public Config dim(int v) {
            return set(() -> dim = v);
        }

        @Override
        protected void validate() {
            if (numEmbeddings <= 0) {
                throw invalid("numEmbeddings", "must be positive, got " + numEmbeddings);
            }
            if (dim <= 0) {
                throw invalid("dim", "must be positive, got " + dim);
            }
        }

        @Override
        protected Embedding create() {
            return new Embedding(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private Embedding(Config cfg) {
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
                ParamSpec.weight(new Shape(cfg.numEmbeddings, cfg.dim), FanAxes.of(0, 1))
                        .withInitializer(Initializer.normal(1 / Math.sqrt(cfg.dim))));
    }

    /**
     * Looks up {@code ids}.
     *
     * @param ctx this layer's context
     * @param ids integer ids in {@code [0, numEmbeddings)}, any shape
     * @return {@code [..., dim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray ids) {
        return lookup(ids, ctx.param("weight"));
    }

    /**
     * Rows {@code ids} of {@code table} ({@code [..., dim]}); differentiable in the table, and on
     * the manager of {@code ids} (the table, a parameter, is the argument).
     */
    static NDArray lookup(NDArray ids, NDArray table) {
        NDArray longIds =
                ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        return ai.djl.nn.core.Embedding.embedding(
                        longIds, table, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
    }

    /**
     * Scores {@code x} against every row: {@code x W^T}.
     *
     * @param ctx this layer's context
     * @param x {@code [..., dim]}
     * @return {@code [..., numEmbeddings]}
     */
    public NDArray attend(ForwardContext ctx, NDArray x) {
        NDArray weight = ctx.param("weight");
        // torch::linear wants [out, in] = [numEmbeddings, dim]: the table as stored.
        return ai.djl.nn.core.Linear.linear(x, weight, null).singletonOrThrow();
    }
}
