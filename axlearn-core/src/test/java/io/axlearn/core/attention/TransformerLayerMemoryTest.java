package io.axlearn.core.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * 1,000 forward/backward/update steps of a Transformer layer, each in a sub-manager closed with the
 * step: the arrays alive on the parameters' manager stay exactly the same and resident memory stays
 * flat.
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
            long mallocAt400 = 0;
            for (int step = 1; step <= Integer.getInteger("leak.steps", 1000); step++) {
                try (NDManager stepManager = paramsManager.newSubManager()) {
                    NDArray x = stepManager.randomNormal(new Shape(4, 16, 32));
                    ForwardContext ctx = ForwardContext.of(params, stepManager, true, step);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = layer.forward(ctx, x).square().mean();
                        gc.backward(loss);
                    }
                    for (NDArray p : params.asMap().values()) {
                        NDArray grad = p.getGradient();
                        grad.attach(stepManager); // the handle would otherwise live on the params'
                        // manager
                        p.subi(grad.mul(1e-3f));
                        grad.muli(0f);
                    }
                }
                if (step == 400) { // past the JIT warm-up: the JVM's own mallocs count too
                    mallocAt400 = LeakCheck.mallocInUseKib();
                }
                assertEquals(
                        liveAtStart,
                        LeakCheck.liveArrays(paramsManager),
                        "live arrays after step " + step);
            }
            long rssAt1000 = LeakCheck.mallocInUseKib();
            System.out.printf(
                    "TransformerLayer 1000 steps: native memory in use (glibc malloc) %d KiB at"
                            + " step 400, %d KiB at step 1000%n",
                    mallocAt400, rssAt1000);
            assertTrue(
                    rssAt1000 < mallocAt400 * 1.10,
                    "native memory in use (glibc malloc) grew from "
                            + mallocAt400
                            + " KiB (step 400) to "
                            + rssAt1000
                            + " KiB (step 1000)");
        }
    }
}
