package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchNormTest {

    private static BatchNorm layer(TorchGolden g) {
        BatchNorm.Config cfg =
                BatchNorm.config()
                        .inputDim(g.intMeta("inputDim"))
                        .decay(Double.parseDouble(g.meta("decay")));
        if (g.input("x").getShape().dimension() == 3) { // the channels-last case
            cfg.channelAxis(g.intMeta("channelAxis"));
        }
        return cfg.instantiate();
    }

    /**
     * Training, channels at axis 1 ({@code [4, 3, 5, 5]}) and channels last ({@code [3, 4, 3]},
     * {@code channelAxis = -1}): output and gradients (through the batch statistics) match torch's
     * {@code batch_norm(training=True, momentum=1-decay)}, and the reported moving statistics equal
     * torch's updated running statistics (unbiased batch variance).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"train", "train_channels_last"})
    void training_usesBatchStatisticsAndReportsMovingStatistics(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(BatchNormTest.class, name, m);
            TorchGolden stats = TorchGolden.load(BatchNormTest.class, name + "_stats", m);
            BatchNorm bn = layer(g);
            ParamTree params = g.params();
            AtomicReference<ForwardContext> ctx = new AtomicReference<>();
            float[] meanBefore = params.get("moving_mean").toFloatArray();
            float[] varianceBefore = params.get("moving_variance").toFloatArray();
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> {
                        ctx.set(ForwardContext.of(params, m, true, 0));
                        return bn.forward(ctx.get(), in.get("x"));
                    });
            Map<String, NDArray> updates = ctx.get().outputs().stateUpdates();
            assertEquals(2, updates.size());
            // The statistics change only through the state updates, never in place.
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    meanBefore, params.get("moving_mean").toFloatArray());
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    varianceBefore, params.get("moving_variance").toFloatArray());
            assertClose(stats.output("moving_mean"), updates.get("moving_mean"), "moving_mean");
            assertClose(
                    stats.output("moving_variance"),
                    updates.get("moving_variance"),
                    "moving_variance");
            assertFalse(bn.paramSpecs().get("moving_mean").trainable());
            assertFalse(bn.paramSpecs().get("moving_variance").trainable());
            assertTrue(bn.paramSpecs().get("scale").trainable());
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

    @Test
    void config_errorsNamePaths() {
        ConfigException decay =
                assertThrows(
                        ConfigException.class,
                        () -> BatchNorm.config().inputDim(3).decay(1.0).instantiateAt("bn"));
        assertEquals("bn.decay must be in [0, 1), got 1.0 (BatchNorm.Config)", decay.getMessage());
        ConfigException eps =
                assertThrows(
                        ConfigException.class,
                        () -> BatchNorm.config().inputDim(3).eps(0).instantiateAt("bn"));
        assertEquals("bn.eps must be positive, got 0.0 (BatchNorm.Config)", eps.getMessage());
    }
}
