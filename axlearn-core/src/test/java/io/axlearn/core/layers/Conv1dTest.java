package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;

class Conv1dTest {

    private static Conv1d causal(TorchGolden g) {
        return Conv1d.config()
                .inputDim(g.intMeta("inputDim"))
                .outputDim(g.intMeta("outputDim"))
                .kernelSize(g.intMeta("kernel"))
                .dilation(g.intMeta("dilation"))
                .padding(new ConvPadding.Causal())
                .instantiate();
    }

    @Test
    void causalDilated_matchesTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(Conv1dTest.class, "causal_dilated", m);
            Conv1d conv = causal(g);
            var params = g.params();
            // Input gradients of dilated convolutions do not match torch on this engine (see
            // Conv2dTest): forward only.
            TorchGolden.assertClose(
                    g.output("y"), conv.forward(ForwardContext.eval(params, m), g.input("x")), "y");
        }
    }

    @Test
    void causal_laterInputsNeverChangeEarlierOutputs() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(Conv1dTest.class, "causal_dilated", m);
            Conv1d conv = causal(g);
            ParamTree params = g.params();
            NDArray x = g.input("x");
            NDArray changed = x.duplicate();
            changed.set(new NDIndex(":, :, 6:"), m.randomNormal(new Shape(2, 3, 3)));
            ForwardContext ctx = ForwardContext.eval(params, m);
            assertClose(
                    conv.forward(ctx, x).get(":, :, :6"),
                    conv.forward(ctx, changed).get(":, :, :6"),
                    "outputs before t=6");
        }
    }
}
