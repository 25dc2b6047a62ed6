package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerNormTest {

    @Test
    void forwardAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(LayerNormTest.class, "forward", m);
            LayerNorm norm =
                    LayerNorm.config()
                            .inputDim(g.intMeta("inputDim"))
                            .eps(Double.parseDouble(g.meta("eps")))
                            .instantiate();
            var params = g.params();
            assertEquals(norm.paramSpecs().keySet(), params.asMap().keySet());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> norm.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void paramSpecs_scaleOnesBiasZerosNoWeightDecay() {
        LayerNorm norm = LayerNorm.config().inputDim(4).instantiate();
        assertEquals(
                "bias: (4) float32 constant(0.0) fan=- wd=0.0\n"
                        + "scale: (4) float32 constant(1.0) fan=- wd=0.0\n",
                norm.paramSpecDump());
    }

    @Test
    void config_rejectsNonPositiveEps() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> LayerNorm.config().inputDim(4).eps(0).instantiateAt("norm"));
        assertEquals("norm.eps must be positive, got 0.0 (LayerNorm.Config)", e.getMessage());
    }
}
