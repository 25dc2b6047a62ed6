package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import java.util.function.Function;

/**
 * The library's layer tests' name for {@link io.axlearn.core.testing.GradCheck}, which is the test
 * kit's public API; new tests use that one.
 */
public final class GradCheck {
    private GradCheck() {}

    /** {@link io.axlearn.core.testing.GradCheck#check(TorchGolden, ParamTree, Map, Function)}. */
    public static void check(
            TorchGolden g,
            ParamTree params,
            Map<String, NDArray> inputs,
            Function<Map<String, NDArray>, NDArray> forward) {
        io.axlearn.core.testing.GradCheck.check(g, params, inputs, forward);
    }
}
