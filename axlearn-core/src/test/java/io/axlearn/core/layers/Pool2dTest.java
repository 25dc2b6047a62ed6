package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;

import ai.djl.ndarray.NDManager;
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
}
