package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.testing.TorchGolden;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Conv2dTest {
    /**
     * The golden's padding. Explicit cases pad {@code [[1, 0], [2, 1]]} in 2-d and {@code [2, 1]}
     * in 1-d (see tools/golden/core_layers.py).
     */
    static ConvPadding padding(TorchGolden g, int rank) {
        return switch (g.meta("padding")) {
            case "same" -> new ConvPadding.Same();
            case "valid" -> new ConvPadding.Valid();
            case "causal" -> new ConvPadding.Causal();
            case "explicit" ->
                    new ConvPadding.Explicit(
                            rank == 2
                                    ? List.of(List.of(1, 0), List.of(2, 1))
                                    : List.of(List.of(2, 1)));
            default -> throw new AssertionError(g.meta("padding"));
        };
    }

    /**
     * Output and the gradients of input, weight and bias match torch for SAME with stride 2, SAME
     * with an even kernel (asymmetric padding, applied as an explicit pad before the convolution),
     * VALID with dilation 2, depthwise (groups = channels, channel multiplier 2) and explicit
     * padding. The input gradients need oneDNN capped at AVX (see the surefire configuration).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "same_stride2",
                "same_even_kernel",
                "valid_dilated",
                "depthwise",
                "explicit"
            })
    void forwardAndGradients_matchTorchGolden(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(Conv2dTest.class, name, m);
            int k = g.intMeta("kernel");
            int s = g.intMeta("stride");
            int d = g.intMeta("dilation");
            Conv2d conv =
                    Conv2d.config()
                            .inputDim(g.intMeta("inputDim"))
                            .outputDim(g.intMeta("outputDim"))
                            .kernelSize(k, k)
                            .strides(s, s)
                            .dilation(d, d)
                            .groups(g.intMeta("groups"))
                            .padding(padding(g, 2))
                            .instantiate();
            var params = g.params();
            assertEquals(conv.paramSpecs().get("weight").shape(), params.get("weight").getShape());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> conv.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void paramSpec_fansCountTheWindow() {
        Conv2d conv = Conv2d.config().inputDim(8).outputDim(16).kernelSize(3, 3).instantiate();
        var spec = conv.paramSpecs().get("weight");
        assertEquals(new Shape(16, 8, 3, 3), spec.shape());
        assertEquals(72.0, spec.fanAxes().fanIn(spec.shape()));
        assertEquals(144.0, spec.fanAxes().fanOut(spec.shape()));
    }

    @Test
    void config_errorsNamePaths() {
        ConfigException groups =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Conv2d.config()
                                        .inputDim(6)
                                        .outputDim(8)
                                        .kernelSize(3, 3)
                                        .groups(4)
                                        .instantiateAt("stem.conv"));
        assertEquals(
                "stem.conv.groups must divide inputDim=6 and outputDim=8, got 4 (Conv2d.Config)",
                groups.getMessage());
        ConfigException kernel =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Conv2d.config()
                                        .inputDim(6)
                                        .outputDim(8)
                                        .kernelSize(3)
                                        .instantiateAt("conv"));
        assertEquals(
                "conv.kernelSize must be 2 positive integers, got [3] (Conv2d.Config)",
                kernel.getMessage());
        ConfigException causal =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Conv2d.config()
                                        .inputDim(1)
                                        .outputDim(1)
                                        .kernelSize(3, 3)
                                        .padding(new ConvPadding.Causal())
                                        .instantiateAt("conv"));
        assertEquals(
                "conv.padding CAUSAL is only for 1-d convolutions (Conv2d.Config)",
                causal.getMessage());
    }
}
