package io.axlearn.core.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;

/**
 * 1,000 to 2,200 forward/backward/update steps of a Transformer layer, each in a sub-manager closed
 * with the step: the arrays alive on the parameters' manager stay exactly the same and resident
 * memory stays flat.
 *
 * <p>Memory is compared over windows of 600 steps after a 400-step warm-up. The test shares its JVM
 * with the module's other tests, whose late JIT compilations and cleaners also allocate with
 * malloc: a one-off bump of that kind lands in one window, a leak grows in every window. So the
 * test passes when one of at most three consecutive windows grows less than 10%.
 */
class TransformerLayerMemoryTest {

    @Test
    void thousandTrainingSteps_doNotGrowLiveArraysOrResidentMemory() {
        TransformerLayer.Config cfg = TransformerLayerTest.layerConfig(32, 4, 64);
        cfg.set("dropout.rate", 0.1).set("selfAttention.rotary", RotaryEmbedding.config());
        TransformerLayer layer = cfg.instantiate();
        try (NDManager paramsManager = TorchGolden.manager()) {
            ParamTree params = layer.initParams(1, paramsManager);
            params.asMap().values().forEach(p -> p.setRequiresGradient(true));
            int liveAtStart = LeakCheck.liveArrays(paramsManager);
            int window = 600;
            int maxWindows = 3;
            long start = 0;
            String growth = "";
            for (int step = 1; step <= 400 + window * maxWindows; step++) {
                trainStep(layer, params, paramsManager, step);
                assertEquals(
                        liveAtStart,
                        LeakCheck.liveArrays(paramsManager),
                        "live arrays after step " + step);
                if (step >= 400 && (step - 400) % window == 0) {
                    long now = LeakCheck.mallocInUseKib();
                    if (step > 400) {
                        growth += String.format(" %d->%d KiB", start, now);
                        if (now < start * 1.10) {
                            System.out.printf(
                                    "TransformerLayer: native memory in use (glibc malloc) %d KiB"
                                            + " at step %d, %d KiB at step %d%n",
                                    start, step - window, now, step);
                            return;
                        }
                    }
                    start = now;
                }
            }
            throw new AssertionError(
                    "native memory in use (glibc malloc) grew by 10% or more in each of "
                            + maxWindows
                            + " windows of "
                            + window
                            + " steps:"
                            + growth);
        }
    }

    /** One forward, backward and plain gradient-descent update in a sub-manager closed with it. */
    private static void trainStep(
            TransformerLayer layer, ParamTree params, NDManager paramsManager, int step) {
        try (NDManager stepManager = paramsManager.newSubManager()) {
            NDArray x = stepManager.randomNormal(new Shape(4, 16, 32));
            ForwardContext ctx = ForwardContext.of(params, stepManager, true, step);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = layer.forward(ctx, x).square().mean();
                gc.backward(loss);
            }
            for (NDArray p : params.asMap().values()) {
                NDArray grad = p.getGradient();
                grad.attach(stepManager); // the handle would otherwise live on the params' manager
                p.subi(grad.mul(1e-3f));
                grad.muli(0f);
            }
        }
    }
}
