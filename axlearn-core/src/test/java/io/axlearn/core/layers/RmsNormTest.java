package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RmsNormTest {

    @Test
    void forwardAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(RmsNormTest.class, "forward", m);
            RmsNorm norm =
                    RmsNorm.config()
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
}
