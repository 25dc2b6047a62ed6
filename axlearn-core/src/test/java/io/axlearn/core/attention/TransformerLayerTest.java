package io.axlearn.core.attention;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.GradCheck;
import io.axlearn.core.layers.RmsNorm;
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
                    in -> layer.forward(ForwardContext.eval(params, m), in.get("x"), null));
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
                    .set("selfAttention.rotary", true)
                    .set("feedForward.gated", true)
                    .set("feedForward.activation", Activation.SILU);
            TransformerLayer layer = cfg.instantiate();
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> layer.forward(ForwardContext.eval(params, m), in.get("x"), null));
        }
    }

    @Test
    void extendStep_equalsForward_withRmsNormAndRotary() {
        TransformerLayer.Config cfg = layerConfig(16, 4, 32).norm(RmsNorm.config());
        cfg.set("selfAttention.rotary", true).set("selfAttention.numKvHeads", 2);
        TransformerLayer layer = cfg.instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(5, m);
            NDArray x = m.randomNormal(new Shape(2, 5, 16));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray full = layer.forward(ctx, x, null);
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
    void normSwap_isOneSetterAndChangesParams() {
        TransformerLayer layer = layerConfig(8, 2, 16).norm(RmsNorm.config()).instantiate();
        assertEquals(true, layer.paramSpecs().containsKey("attention_norm/scale"));
        assertEquals(false, layer.paramSpecs().containsKey("attention_norm/bias"));
    }
}
