package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;

class BatchNormTest {

    private static BatchNorm layer(TorchGolden g) {
        return BatchNorm.config()
                .inputDim(g.intMeta("inputDim"))
                .decay(Double.parseDouble(g.meta("decay")))
                .instantiate();
    }

    @Test
    void training_usesBatchStatisticsAndReportsMovingStatistics() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(BatchNormTest.class, "train", m);
            TorchGolden stats = TorchGolden.load(BatchNormTest.class, "train_stats", m);
            BatchNorm bn = layer(g);
            ParamTree params = g.params();
            ForwardContext ctx = ForwardContext.of(params, m, true, 0);
            assertClose(g.output("y"), bn.forward(ctx, g.input("x")), "y");
            var updates = ctx.outputs().stateUpdates();
            assertClose(stats.output("moving_mean"), updates.get("moving_mean"), "moving_mean");
            assertClose(
                    stats.output("moving_variance"),
                    updates.get("moving_variance"),
                    "moving_variance");
            assertEquals(false, bn.paramSpecs().get("moving_mean").trainable());
        }
    }

    @Test
    void evaluation_usesMovingStatisticsAndUpdatesNothing() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(BatchNormTest.class, "eval", m);
            BatchNorm bn = layer(g);
            ParamTree params = g.params();
            ForwardContext ctx = ForwardContext.eval(params, m);
            assertClose(g.output("y"), bn.forward(ctx, g.input("x")), "y");
            assertEquals(0, ctx.outputs().stateUpdates().size());
        }
    }
}
