package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import java.util.function.Function;

/** Runs a forward pass under autograd and compares output and gradients with a torch golden. */
public final class GradCheck {
    private GradCheck() {}

    /**
     * Computes {@code y = forward(inputs)}, checks it against {@code outputs/y}, back-propagates
     * {@code sum(y * inputs/dy)} and checks the gradient of every named input and every parameter
     * against {@code grads/<name>}.
     */
    public static void check(
            TorchGolden g,
            ParamTree params,
            Map<String, NDArray> inputs,
            Function<Map<String, NDArray>, NDArray> forward) {
        inputs.values().forEach(a -> a.setRequiresGradient(true));
        params.asMap().values().forEach(p -> p.setRequiresGradient(true));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = forward.apply(inputs);
            assertClose(g.output("y"), y, "y");
            gc.backward(y.mul(g.input("dy")).sum());
        }
        inputs.forEach((name, a) -> assertClose(g.grad(name), a.getGradient(), "dL/d" + name));
        params.asMap()
                .forEach((path, p) -> assertClose(g.grad(path), p.getGradient(), "dL/d" + path));
    }
}
