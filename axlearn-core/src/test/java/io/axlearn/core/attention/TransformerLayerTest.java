package io.axlearn.core.attention;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.GradCheck;
import io.axlearn.core.layers.RmsNorm;
import io.axlearn.core.layers.StochasticDepth;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransformerLayerTest {

    static TransformerLayer.Config layerConfig(int dim, int heads, int hidden) {
        TransformerLayer.Config cfg = TransformerLayer.config().inputDim(dim);
        cfg.set("selfAttention.numHeads", heads).set("selfAttention.causal", true);
        return cfg.feedForward(FeedForward.config().hiddenDim(hidden));
    }

    @ParameterizedTest
    @EnumSource(TransformerLayer.Structure.class)
    void forwardAndGradients_matchTorchGolden(TransformerLayer.Structure structure) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g =
                    TorchGolden.load(
                            TransformerLayerTest.class,
                            structure.name().toLowerCase(java.util.Locale.ROOT),
                            m);
            TransformerLayer layer =
                    layerConfig(
                                    g.intMeta("inputDim"),
                                    g.intMeta("numHeads"),
                                    g.intMeta("hiddenDim"))
                            .structure(structure)
                            .instantiate();
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> layer.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void llamaStyle_rmsNormGqaRotarySwiglu_forwardAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(TransformerLayerTest.class, "llama", m);
            TransformerLayer.Config cfg =
                    layerConfig(
                                    g.intMeta("inputDim"),
                                    g.intMeta("numHeads"),
                                    g.intMeta("hiddenDim"))
                            .norm(RmsNorm.config());
            cfg.set("selfAttention.numKvHeads", g.intMeta("numKvHeads"))
                    .set("selfAttention.rotary", RotaryEmbedding.config())
                    .set("feedForward.gated", true)
                    .set("feedForward.activation", Activation.SILU);
            TransformerLayer layer = cfg.instantiate();
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> layer.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void extendStep_equalsForward_withRmsNormAndRotary() {
        TransformerLayer.Config cfg = layerConfig(16, 4, 32).norm(RmsNorm.config());
        cfg.set("selfAttention.rotary", RotaryEmbedding.config())
                .set("selfAttention.numKvHeads", 2);
        TransformerLayer layer = cfg.instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(5, m);
            NDArray x = m.randomNormal(new Shape(2, 5, 16));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray full = layer.forward(ctx, x);
            KvCache cache = KvCache.EMPTY;
            NDList steps = new NDList();
            for (int t = 0; t < 5; t++) {
                TransformerLayer.Step s =
                        layer.extendStep(ctx, cache, x.get(new NDIndex(":, {}:{}, :", t, t + 1)));
                steps.add(s.data());
                cache = s.cache();
            }
            assertClose(full, NDArrays.concat(steps, 1), "step-by-step decoding");
        }
    }

    @Test
    void stochasticDepth_dropsWholeBranchesPerExample_onlyWhenTraining() {
        TransformerLayer plain = layerConfig(8, 2, 16).instantiate();
        TransformerLayer layer =
                layerConfig(8, 2, 16)
                        .stochasticDepth(StochasticDepth.config().rate(0.5))
                        .instantiate();
        assertEquals(plain.paramSpecs(), layer.paramSpecs(), "drop path adds no parameters");
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = plain.initParams(8, m);
            NDArray x = m.randomNormal(new Shape(16, 3, 8));
            assertClose(
                    plain.forward(ForwardContext.eval(params, m), x),
                    layer.forward(ForwardContext.eval(params, m), x),
                    "evaluation ignores stochastic depth");
            NDArray y = layer.forward(ForwardContext.of(params, m, true, 1), x);
            int identity = 0;
            for (int b = 0; b < 16; b++) {
                if (y.get(b).allClose(x.get(b))) {
                    identity++; // both branches of this example were dropped
                }
            }
            assertTrue(identity > 0 && identity < 16, identity + " of 16 examples kept x");
        }
    }

    @Test
    void normSwap_isOneSetterAndChangesParams() {
        TransformerLayer layer = layerConfig(8, 2, 16).norm(RmsNorm.config()).instantiate();
        assertEquals(true, layer.paramSpecs().containsKey("attention_norm/scale"));
        assertEquals(false, layer.paramSpecs().containsKey("attention_norm/bias"));
    }
}
