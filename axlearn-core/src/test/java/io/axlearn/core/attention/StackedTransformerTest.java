package io.axlearn.core.attention;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.layers.GradCheck;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackedTransformerTest {

    static StackedTransformer.Config stack(int layers, int dim, int heads, int hidden) {
        return StackedTransformer.config()
                .inputDim(dim)
                .numLayers(layers)
                .layer(TransformerLayerTest.layerConfig(dim, heads, hidden));
    }

    @Test
    void forwardAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(StackedTransformerTest.class, "two_layers", m);
            StackedTransformer model =
                    stack(
                                    g.intMeta("numLayers"),
                                    g.intMeta("inputDim"),
                                    g.intMeta("numHeads"),
                                    g.intMeta("hiddenDim"))
                            .instantiate();
            ParamTree params = g.params();
            assertEquals(model.paramSpecs().keySet(), params.asMap().keySet());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> model.forward(ForwardContext.eval(params, m), in.get("x"), null));
        }
    }

    @Test
    void extendStep_equalsForwardStepByStep() {
        StackedTransformer model = stack(3, 8, 2, 16).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(11, m);
            NDArray x = m.randomNormal(new Shape(1, 6, 8));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray full = model.forward(ctx, x, null);
            List<KvCache> caches = model.emptyCaches();
            NDList steps = new NDList();
            for (int t = 0; t < 6; t++) {
                StackedTransformer.Step s =
                        model.extendStep(ctx, caches, x.get(new NDIndex(":, {}:{}, :", t, t + 1)));
                steps.add(s.data());
                caches = s.caches();
            }
            assertClose(full, NDArrays.concat(steps, 1), "step-by-step decoding");
        }
    }

    @Test
    void paramPaths_andConfigErrors() {
        StackedTransformer model = stack(2, 8, 2, 16).instantiate();
        assertEquals(true, model.paramSpecs().containsKey("layer1/self_attention/q_proj/weight"));
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> stack(0, 8, 2, 16).instantiateAt("model.decoder.transformer"));
        assertEquals(
                "model.decoder.transformer.numLayers must be positive, got 0 (StackedTransformer.Config)",
                e.getMessage());
        ConfigException missing =
                assertThrows(
                        ConfigException.class,
                        () ->
                                StackedTransformer.config()
                                        .inputDim(8)
                                        .numLayers(1)
                                        .instantiateAt("model.decoder.transformer"));
        assertEquals(
                "model.decoder.transformer.layer.selfAttention.numHeads is required (MultiheadAttention.Config)",
                missing.getMessage());
    }
}
