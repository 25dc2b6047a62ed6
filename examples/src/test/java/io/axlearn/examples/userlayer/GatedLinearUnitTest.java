package io.axlearn.examples.userlayer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.DocSnippets;
import io.axlearn.core.testing.GradCheck;
import io.axlearn.core.testing.TorchGolden;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A user-defined layer checked against PyTorch with the test kit from {@code
 * io.axlearn:axlearn-core:test-jar} (golden from {@code
 * tools/golden/examples_gated_linear_unit.py}).
 */
class GatedLinearUnitTest {

    // [layers-doc-start]
    @Test
    void forwardAndGradients_matchTorch() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(GatedLinearUnitTest.class, "forward", m);
            GatedLinearUnit glu =
                    GatedLinearUnit.config()
                            .inputDim(g.intMeta("inputDim"))
                            .outputDim(g.intMeta("outputDim"))
                            .instantiate();
            ParamTree params = g.params(); // torch's weights, in our [in, out] layout
            assertEquals(glu.paramSpecs().keySet(), params.asMap().keySet());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> glu.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    // [layers-doc-end]

    @Test
    void userConfig_isNamedByUseAndRoundTrips() {
        GatedLinearUnit.Config cfg = GatedLinearUnit.config().inputDim(3).outputDim(5);
        assertEquals("io.axlearn.examples.userlayer.GatedLinearUnit.Config", cfg.typeName());
        assertEquals(
                cfg, ConfigJson.fromJson(ConfigJson.toJson(cfg), GatedLinearUnit.Config.class));
    }

    @Test
    void config_rejectsNonPositiveOutputDim() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                GatedLinearUnit.config()
                                        .inputDim(3)
                                        .outputDim(0)
                                        .instantiateAt("model.glu"));
        assertEquals(
                "model.glu.outputDim must be positive, got 0 (GatedLinearUnit.Config)",
                e.getMessage());
    }

    @Test
    void docsLayersMd_showsTheTestVerbatim() {
        DocSnippets.assertShown(
                Path.of("src/test/java/io/axlearn/examples/userlayer/GatedLinearUnitTest.java"),
                "layers-doc",
                Path.of("..", "docs", "layers.md"));
    }
}
