package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Conv1dTest {

    private static Conv1d layer(TorchGolden g) {
        return Conv1d.config()
                .inputDim(g.intMeta("inputDim"))
                .outputDim(g.intMeta("outputDim"))
                .kernelSize(g.intMeta("kernel"))
                .strides(g.intMeta("stride"))
                .dilation(g.intMeta("dilation"))
                .groups(g.intMeta("groups"))
                .padding(Conv2dTest.padding(g, 1))
                .instantiate();
    }

    /**
     * Output and input/weight/bias gradients match torch for CAUSAL with dilation 2, SAME with an
     * even kernel and stride 2 (asymmetric padding), depthwise SAME and explicit {@code [2, 1]}.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"causal_dilated", "same_stride2", "depthwise", "explicit"})
    void forwardAndGradients_matchTorchGolden(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(Conv1dTest.class, name, m);
            Conv1d conv = layer(g);
            ParamTree params = g.params();
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> conv.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void causal_laterInputsNeverChangeEarlierOutputs() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(Conv1dTest.class, "causal_dilated", m);
            Conv1d conv = layer(g);
            ParamTree params = g.params();
            NDArray x = g.input("x");
            NDArray changed = x.duplicate();
            changed.set(new NDIndex(":, :, 6:"), m.randomNormal(new Shape(2, 3, 3)));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray before = conv.forward(ctx, x);
            NDArray after = conv.forward(ctx, changed);
            assertEquals(new Shape(2, 4, 9), before.getShape(), "causal keeps the length");
            assertClose(before.get(":, :, :6"), after.get(":, :, :6"), "outputs before t=6");
        }
    }

    @Test
    void config_errorsNamePaths() {
        ConfigException stride =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Conv1d.config()
                                        .inputDim(2)
                                        .outputDim(2)
                                        .kernelSize(3)
                                        .strides(0)
                                        .instantiateAt("conv"));
        assertEquals(
                "conv.strides must be 1 positive integers, got [0] (Conv1d.Config)",
                stride.getMessage());
        ConfigException explicit =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Conv1d.config()
                                        .inputDim(2)
                                        .outputDim(2)
                                        .kernelSize(3)
                                        .padding(
                                                new ConvPadding.Explicit(
                                                        List.of(List.of(1, 1), List.of(1, 1))))
                                        .instantiateAt("conv"));
        assertEquals(
                "conv.padding needs 1 [before, after] pairs, got [[1, 1], [1, 1]] (Conv1d.Config)",
                explicit.getMessage());
    }
}
