package io.axlearn.core.examples;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.layers.RmsNorm;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.DocSnippets;
import io.axlearn.core.testing.TorchGolden;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests the worked example of docs/layers.md, and that the page shows its code verbatim. */
class ResidualMlpTest {

    @Test
    void paramSpecs_includeChildrenByPath() {
        ResidualMlp block = ResidualMlp.config().inputDim(4).hiddenDim(8).instantiate();
        assertEquals(
                String.join(
                        "\n",
                        "gate: (1) float32 constant(0.0) fan=- wd=0.0",
                        "linear1/bias: (8) float32 constant(0.0) fan=- wd=0.0",
                        "linear1/weight: (4, 8) float32 fan_avg_uniform(1.0) fan=in=[0] out=[1] wd=1.0",
                        "linear2/bias: (4) float32 constant(0.0) fan=- wd=0.0",
                        "linear2/weight: (8, 4) float32 fan_avg_uniform(1.0) fan=in=[0] out=[1] wd=1.0",
                        "norm/bias: (4) float32 constant(0.0) fan=- wd=0.0",
                        "norm/scale: (4) float32 constant(1.0) fan=- wd=0.0",
                        ""),
                block.paramSpecDump());
    }

    @Test
    void forward_startsAsIdentityAndMatchesManualComputation() {
        ResidualMlp block = ResidualMlp.config().inputDim(4).hiddenDim(8).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = block.initParams(1, m);
            NDArray x = m.randomNormal(new Shape(2, 3, 4));
            assertClose(x, block.forward(ForwardContext.eval(params, m), x), "identity at init");
            Map<String, NDArray> changed = new HashMap<>(params.asMap());
            changed.put("gate", m.create(new float[] {0.5f}));
            ParamTree p2 = ParamTree.of(changed);
            NDArray h =
                    ai.djl.nn.norm.LayerNorm.layerNorm(
                                    x,
                                    new Shape(4),
                                    p2.get("norm/scale"),
                                    p2.get("norm/bias"),
                                    1e-6f)
                            .singletonOrThrow();
            h =
                    ai.djl.nn.Activation.gelu(
                            h.matMul(p2.get("linear1/weight")).add(p2.get("linear1/bias")));
            h = h.matMul(p2.get("linear2/weight")).add(p2.get("linear2/bias"));
            assertClose(x.add(h.mul(0.5f)), block.forward(ForwardContext.eval(p2, m), x), "y");
        }
    }

    @Test
    void normSlot_swapsWithOneSetter() {
        ResidualMlp block =
                ResidualMlp.config().inputDim(4).hiddenDim(8).norm(RmsNorm.config()).instantiate();
        assertTrue(block.paramSpecs().containsKey("norm/scale"));
        assertEquals(false, block.paramSpecs().containsKey("norm/bias"));
    }

    @Test
    void configError_namesPath() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ResidualMlp.config()
                                        .inputDim(4)
                                        .hiddenDim(0)
                                        .instantiateAt("model.mlp"));
        assertEquals(
                "model.mlp.hiddenDim must be positive, got 0 (ResidualMlp.Config)", e.getMessage());
    }

    @Test
    void docsLayersMd_showsThisCodeVerbatim() {
        DocSnippets.assertShown(
                Path.of("src/test/java/io/axlearn/core/examples/ResidualMlp.java"),
                "doc",
                Path.of("..", "docs", "layers.md"));
    }
}
