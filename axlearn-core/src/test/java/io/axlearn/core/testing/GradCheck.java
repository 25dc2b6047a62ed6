package io.axlearn.core.testing;

import static io.axlearn.core.testing.TorchGolden.assertAllClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.axlearn.core.module.ParamTree;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks a forward pass and its gradients against a {@link TorchGolden} written by a script in
 * {@code tools/golden/} (with {@code golden_common.save_case}).
 *
 * <p>The golden holds {@code outputs/y}, an upstream gradient {@code inputs/dy} and, for every
 * parameter path and float input, {@code grads/<name>}: the gradient of the scalar {@code sum(y *
 * dy)}. Using a random {@code dy} rather than {@code sum(y)} checks every output element's
 * contribution to every gradient.
 *
 * <pre>{@code
 * try (NDManager m = TorchGolden.manager()) {
 *     TorchGolden g = TorchGolden.load(MyLayerTest.class, "forward", m);
 *     ParamTree params = g.params();
 *     GradCheck.check(g, params, Map.of("x", g.input("x")),
 *             in -> layer.forward(ForwardContext.eval(params, m), in.get("x")));
 * }
 * }</pre>
 */
public final class GradCheck {
    /** The fp32 tolerance of the library's own layer tests, relative and absolute. */
    public static final double DEFAULT_TOLERANCE = 1e-5;

    private GradCheck() {}

    /**
     * {@link #check(TorchGolden, ParamTree, Map, Function, double, double)} with {@link
     * #DEFAULT_TOLERANCE} for both tolerances.
     */
    public static void check(
            TorchGolden golden,
            ParamTree params,
            Map<String, NDArray> inputs,
            Function<Map<String, NDArray>, NDArray> forward) {
        check(golden, params, inputs, forward, DEFAULT_TOLERANCE, DEFAULT_TOLERANCE);
    }

    /**
     * Computes {@code y = forward(inputs)} under autograd, checks it against {@code outputs/y},
     * back-propagates {@code sum(y * inputs/dy)} and checks the gradient of every named input and
     * every parameter of {@code params} against {@code grads/<name>} (parameters by their tree
     * path, e.g. {@code grads/attention/q_proj/weight}). Each comparison is {@link
     * TorchGolden#assertAllClose} and fails naming the tensor and its worst element.
     *
     * @param golden the golden file
     * @param params the parameters the forward pass reads; gradients are switched on for them
     * @param inputs the float inputs by name; gradients are switched on for them
     * @param forward the forward pass, given {@code inputs}
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     */
    public static void check(
            TorchGolden golden,
            ParamTree params,
            Map<String, NDArray> inputs,
            Function<Map<String, NDArray>, NDArray> forward,
            double rtol,
            double atol) {
        inputs.values().forEach(a -> a.setRequiresGradient(true));
        params.asMap().values().forEach(p -> p.setRequiresGradient(true));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = forward.apply(inputs);
            assertAllClose(golden.output("y"), y, rtol, atol, "y");
            // Free every direct buffer only Java kept alive, so that a graph reading such memory
            // (a DJL number operand such as x.mul(0.5f); see OwnedArrays) fails here.
            Collect.unreachableDirectBuffers();
            gc.backward(y.mul(golden.input("dy")).sum());
        }
        inputs.forEach(
                (name, a) ->
                        assertAllClose(
                                golden.grad(name), a.getGradient(), rtol, atol, "dL/d" + name));
        params.asMap()
                .forEach(
                        (path, p) ->
                                assertAllClose(
                                        golden.grad(path),
                                        p.getGradient(),
                                        rtol,
                                        atol,
                                        "dL/d" + path));
    }
}
