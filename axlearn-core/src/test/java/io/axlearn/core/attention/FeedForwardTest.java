package io.axlearn.core.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.GradCheck;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeedForwardTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "swiglu", "geglu"})
    void forwardAndGradients_matchTorchGolden(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(FeedForwardTest.class, name, m);
            FeedForward ffn =
                    FeedForward.config()
                            .inputDim(g.intMeta("inputDim"))
                            .hiddenDim(g.intMeta("hiddenDim"))
                            .gated(Boolean.parseBoolean(g.meta("gated")))
                            .activation(Activation.valueOf(g.meta("activation")))
                            .instantiate();
            var params = g.params();
            assertEquals(ffn.paramSpecs().keySet(), params.asMap().keySet());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> ffn.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void hiddenDim_scaledRoundsUp() {
        assertEquals(1024, new HiddenDim.Scaled(4, 1).resolve(256));
        assertEquals(688, new HiddenDim.Scaled(8.0 / 3, 16).resolve(256));
        FeedForward ffn =
                FeedForward.config()
                        .inputDim(6)
                        .hiddenDim(new HiddenDim.Scaled(2, 8))
                        .instantiate();
        assertEquals(
                new ai.djl.ndarray.types.Shape(6, 16),
                ffn.paramSpecs().get("linear1/weight").shape());
    }
}
