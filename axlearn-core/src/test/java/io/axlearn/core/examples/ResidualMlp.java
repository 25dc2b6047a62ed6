package io.axlearn.core.examples;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

// [doc-start]
/**
 * The worked example of docs/layers.md: {@code y = x + gate * linear2(act(linear1(norm(x))))}.
 *
 * <p>Shapes: input and output {@code [..., inputDim]}; parameter {@code gate []} (a scalar that
 * starts at zero, so the block starts as the identity).
 */
public final class ResidualMlp extends BaseLayer {

    /** Config of {@link ResidualMlp}. */
    public static final class Config extends BaseLayer.Config<Config, ResidualMlp> {
        /** Model dimension; the block owns it and writes it into its children. */
        @Required private Integer inputDim;

        /** Hidden dimension of the MLP. */
        @Required private Integer hiddenDim;

        /** Activation between the two linear maps. */
        private Activation activation = Activation.GELU;

        /** The norm slot: any norm (LayerNorm by default, RmsNorm with one setter). */
        private BaseNorm.Config<?, ?> norm = LayerNorm.config();

        /** The two linear maps; their dims are set by the block. */
        private Linear.Config linear1 = Linear.config();

        private Linear.Config linear2 = Linear.config();

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config hiddenDim(int v) {
            return set(() -> hiddenDim = v);
        }

        public Config activation(Activation v) {
            return set(() -> activation = v);
        }

        public Config norm(BaseNorm.Config<?, ?> v) {
            return set(() -> norm = v.copy());
        }

        @Override
        protected void validate() {
            if (hiddenDim <= 0) {
                throw invalid("hiddenDim", "must be positive, got " + hiddenDim);
            }
        }

        @Override
        protected ResidualMlp create() {
            return new ResidualMlp(this);
        }
    }

    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final BaseNorm norm;
    private final Linear linear1;
    private final Linear linear2;

    private ResidualMlp(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        // Children: copy the slot, write the dims this layer owns, instantiate under its name.
        norm = child("norm", cfg.norm, c -> c.inputDim(cfg.inputDim));
        linear1 =
                child(
                        "linear1",
                        cfg.linear1,
                        c -> c.inputDim(cfg.inputDim).outputDim(cfg.hiddenDim));
        linear2 =
                child(
                        "linear2",
                        cfg.linear2,
                        c -> c.inputDim(cfg.hiddenDim).outputDim(cfg.inputDim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        // Children declare their own parameters; this layer adds only the gate.
        return Map.of(
                "gate",
                ParamSpec.bias(1).withInitializer(io.axlearn.core.init.Initializer.constant(0)));
    }

    /**
     * @param ctx this layer's context
     * @param x input {@code [..., inputDim]}
     * @return {@code [..., inputDim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray h = norm.forward(ctx.child(norm), x);
        h = cfg.activation.apply(linear1.forward(ctx.child(linear1), h));
        h = linear2.forward(ctx.child(linear2), h);
        return x.add(h.mul(ctx.param("gate")));
    }
}
// [doc-end]
