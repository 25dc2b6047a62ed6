package io.axlearn.core.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's fused Adam kernels, reached through the TorchScript module, against the composition of
 * DJL ops (which LearnerTest's torch.optim goldens also check): parameters that require gradients
 * as in training, two decay scales and two learning-rate scales, so four groups, and nothing left
 * behind on the parameters' manager.
 */
class FusedAdamKernelTest {

    private static SortedMap<String, ParamSpec> specs() {
        SortedMap<String, ParamSpec> specs = new TreeMap<>();
        specs.put("dense/weight", ParamSpec.weight(new Shape(8, 16), FanAxes.of(0, 1)));
        specs.put("dense/bias", ParamSpec.bias(16));
        specs.put("head/weight", ParamSpec.weight(new Shape(16, 3), FanAxes.of(0, 1)));
        specs.put("head/bias", ParamSpec.bias(3));
        specs.put("norm/moving_mean", ParamSpec.statistic(16, 0.0));
        return specs;
    }

    @Test
    void theKernelLoadsInThisLibtorch() {
        assertTrue(FusedAdamKernel.instance().isPresent());
    }

    @Test
    void adamW_fusedMatchesTheComposedOps() {
        compare(() -> AdamW.config().weightDecay(0.3));
    }

    @Test
    void adam_fusedMatchesTheComposedOps() {
        compare(() -> Adam.config().weightDecay(0.3));
    }

    private static <C extends Adam.BaseConfig<C>> void compare(Supplier<C> config) {
        Optimizer fused =
                config.get().learningRate(0.05).learningRateScale("head/.*", 0.5).instantiate();
        Optimizer composed =
                config.get()
                        .learningRate(0.05)
                        .learningRateScale("head/.*", 0.5)
                        .fused(false)
                        .instantiate();
        try (NDManager m = TorchGolden.manager()) {
            m.getEngine().setRandomSeed(11);
            Map<String, NDArray> a = new TreeMap<>();
            Map<String, NDArray> b = new TreeMap<>();
            specs().forEach(
                            (path, spec) -> {
                                NDArray p = m.randomNormal(spec.shape());
                                NDArray q = p.duplicate();
                                if (spec.trainable()) {
                                    p.setRequiresGradient(true);
                                    q.setRequiresGradient(true);
                                }
                                a.put(path, p);
                                b.put(path, q);
                            });
            ParamTree pa = ParamTree.of(a);
            ParamTree pb = ParamTree.of(b);
            OptimizerState sa = fused.initState(specs(), pa, m);
            OptimizerState sb = composed.initState(specs(), pb, m);
            NDArray mean0 = a.get("norm/moving_mean").duplicate();
            int live = -1;
            for (int step = 1; step <= 6; step++) {
                Map<String, NDArray> grads = new TreeMap<>();
                for (String path : a.keySet()) {
                    if (specs().get(path).trainable()) {
                        NDArray noise = m.randomNormal(a.get(path).getShape());
                        grads.put(path, noise.mul(step));
                        noise.close();
                    }
                }
                fused.update(step, pa, grads, sa);
                composed.update(step, pb, grads, sb);
                grads.values().forEach(NDArray::close);
                if (step == 1) {
                    live = LeakCheck.liveArrays(m);
                }
            }
            assertEquals(live, LeakCheck.liveArrays(m), "arrays left on the manager by steps 2-6");
            for (String path : a.keySet()) {
                float[] x = a.get(path).toFloatArray();
                float[] y = b.get(path).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(y[i], x[i], 1e-5 * (1 + Math.abs(y[i])), path + "[" + i + "]");
                }
            }
            for (String slot : sa.arrays().keySet()) {
                float[] x = sa.arrays().get(slot).toFloatArray();
                float[] y = sb.arrays().get(slot).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(y[i], x[i], 1e-5 * (1 + Math.abs(y[i])), slot + "[" + i + "]");
                }
            }
            assertEquals(mean0, a.get("norm/moving_mean"), "a frozen statistic never changes");
            assertEquals(6, sa.step());
        }
    }
}
