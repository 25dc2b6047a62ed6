package io.axlearn.core.attention;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
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
                    in -> model.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void extendStep_equalsForwardStepByStep() {
        StackedTransformer model = stack(3, 8, 2, 16).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(11, m);
            NDArray x = m.randomNormal(new Shape(1, 6, 8));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray full = model.forward(ctx, x);
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
    void perLayerConfigs_alternatingStructuresAndHeads_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(StackedTransformerTest.class, "per_layer", m);
            int dim = g.intMeta("inputDim");
            String[] structures = g.meta("structures").split(",");
            String[] heads = g.meta("numHeads").split(",");
            String[] hidden = g.meta("hiddenDims").split(",");
            List<TransformerLayer.Config> layers = new ArrayList<>();
            for (int i = 0; i < structures.length; i++) {
                layers.add(
                        TransformerLayerTest.layerConfig(
                                        dim,
                                        Integer.parseInt(heads[i]),
                                        Integer.parseInt(hidden[i]))
                                .structure(TransformerLayer.Structure.valueOf(structures[i])));
            }
            StackedTransformer model =
                    StackedTransformer.config().inputDim(dim).layers(layers).instantiate();
            ParamTree params = g.params();
            assertEquals(model.paramSpecs().keySet(), params.asMap().keySet());
            assertEquals(
                    new Shape(12, 8),
                    model.paramSpecs().get("layer1/feed_forward/linear2/weight").shape());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> model.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void listOfCopies_equalsTemplate_inParamPathsAndOutputs() {
        StackedTransformer template = stack(3, 8, 2, 16).instantiate();
        TransformerLayer.Config layer = TransformerLayerTest.layerConfig(8, 2, 16);
        StackedTransformer list =
                StackedTransformer.config()
                        .inputDim(8)
                        .layers(List.of(layer, layer, layer))
                        .instantiate();
        assertEquals(template.paramSpecDump(), list.paramSpecDump());
        assertTrue(list.paramSpecs().containsKey("layer2/self_attention/q_proj/weight"));
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = template.initParams(3, m);
            NDArray x = m.randomNormal(new Shape(2, 4, 8));
            ForwardContext ctx = ForwardContext.eval(params, m);
            assertClose(template.forward(ctx, x), list.forward(ctx, x), "list vs template");
        }
    }

    @Test
    void depthScaledStochasticDepth_growsLinearly_andActsOnlyWhenTraining() {
        StackedTransformer.Config cfg =
                StackedTransformer.config()
                        .inputDim(8)
                        .layers(
                                StackedTransformer.depthScaledStochasticDepth(
                                        TransformerLayerTest.layerConfig(8, 2, 16), 3, 0.5));
        assertEquals(0.0, cfg.get("layers[0].stochasticDepth.rate"));
        assertEquals(0.25, cfg.get("layers[1].stochasticDepth.rate"));
        assertEquals(0.5, cfg.get("layers[2].stochasticDepth.rate"));
        StackedTransformer deep = cfg.instantiate();
        StackedTransformer plain = stack(3, 8, 2, 16).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = plain.initParams(4, m);
            NDArray x = m.randomNormal(new Shape(16, 3, 8));
            NDArray reference = plain.forward(ForwardContext.eval(params, m), x);
            assertClose(reference, deep.forward(ForwardContext.eval(params, m), x), "eval");
            NDArray trained = deep.forward(ForwardContext.of(params, m, true, 9), x);
            assertFalse(trained.allClose(reference), "training drops some branches");
        }
    }

    @Test
    void paramPaths_andConfigErrors() {
        StackedTransformer model = stack(2, 8, 2, 16).instantiate();
        assertEquals(true, model.paramSpecs().containsKey("layer1/self_attention/q_proj/weight"));
        assertError(
                "model.decoder.transformer.numLayers must be positive, got 0 (StackedTransformer.Config)",
                stack(0, 8, 2, 16));
        assertError(
                "model.decoder.transformer.layer.selfAttention.numHeads is required (MultiheadAttention.Config)",
                StackedTransformer.config()
                        .inputDim(8)
                        .numLayers(1)
                        .layer(TransformerLayer.config()));
        TransformerLayer.Config layer = TransformerLayerTest.layerConfig(8, 2, 16);
        assertError(
                "model.decoder.transformer.layers is set together with numLayers; set either"
                        + " numLayers and layer (one template) or layers (one config per layer)"
                        + " (StackedTransformer.Config)",
                stack(2, 8, 2, 16).layers(List.of(layer)));
        assertError(
                "model.decoder.transformer.layer is required: set numLayers and layer (one"
                        + " template) or layers (one config per layer) (StackedTransformer.Config)",
                StackedTransformer.config().inputDim(8).numLayers(2));
        assertError(
                "model.decoder.transformer.layers must not be empty (StackedTransformer.Config)",
                StackedTransformer.config().inputDim(8).layers(List.of()));
    }

    private static void assertError(String message, StackedTransformer.Config cfg) {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> cfg.instantiateAt("model.decoder.transformer"));
        assertEquals(message, e.getMessage());
    }
}
