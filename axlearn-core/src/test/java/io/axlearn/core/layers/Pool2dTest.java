package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Pool2dTest {

    @Test
    void maxAvgAndGlobal_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(Pool2dTest.class, "pools", m);
            ForwardContext ctx = ForwardContext.eval(ParamTree.of(Map.of()), m);
            var x = g.input("x");
            Pool2d maxSame =
                    Pool2d.config()
                            .kernelSize(3, 3)
                            .strides(2, 2)
                            .padding(new ConvPadding.Same())
                            .instantiate();
            Pool2d avgSame =
                    Pool2d.config()
                            .kind(Pool2d.Kind.AVG)
                            .kernelSize(3, 3)
                            .strides(2, 2)
                            .padding(new ConvPadding.Same())
                            .instantiate();
            Pool2d maxValid = Pool2d.config().kernelSize(2, 2).instantiate();
            Pool2d avgValid =
                    Pool2d.config()
                            .kind(Pool2d.Kind.AVG)
                            .kernelSize(3, 3)
                            .strides(1, 1)
                            .instantiate();
            assertClose(g.output("max_same_k3s2"), maxSame.forward(ctx, x), "max SAME");
            assertClose(
                    g.output("avg_same_k3s2"),
                    avgSame.forward(ctx, x),
                    "avg SAME over real elements");
            assertClose(g.output("max_valid_k2"), maxValid.forward(ctx, x), "max VALID");
            assertClose(g.output("avg_valid_k3s1"), avgValid.forward(ctx, x), "avg VALID");
            assertClose(g.output("global_avg"), Pool2d.globalAverage(x), "global average");
        }
    }

    @Test
    void maxPool_gradientGoesToTheWindowMaximum() {
        try (NDManager m = TorchGolden.manager()) {
            ForwardContext ctx = ForwardContext.eval(ParamTree.of(Map.of()), m);
            NDArray x = m.arange(16f).reshape(1, 1, 4, 4);
            x.setRequiresGradient(true);
            Pool2d pool = Pool2d.config().kernelSize(2, 2).instantiate();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(pool.forward(ctx, x).sum());
            }
            NDArray expected = m.zeros(new Shape(1, 1, 4, 4));
            for (int[] p : new int[][] {{1, 1}, {1, 3}, {3, 1}, {3, 3}}) {
                expected.set(new NDIndex(0, 0, p[0], p[1]), 1f);
            }
            assertClose(expected, x.getGradient(), "dL/dx");
        }
    }

    @Test
    void config_errorsNamePaths() {
        ConfigException stride =
                assertThrows(
                        ConfigException.class,
                        () -> Pool2d.config().kernelSize(2, 2).strides(0, 1).instantiateAt("pool"));
        assertEquals(
                "pool.strides must be 2 positive integers, got [0, 1] (Pool2d.Config)",
                stride.getMessage());
        ConfigException causal =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Pool2d.config()
                                        .kernelSize(2, 2)
                                        .padding(new ConvPadding.Causal())
                                        .instantiateAt("pool"));
        assertEquals(
                "pool.padding CAUSAL is only for 1-d convolutions (Pool2d.Config)",
                causal.getMessage());
    }
}
