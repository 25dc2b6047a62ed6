package io.axlearn.audio.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.GradCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConformerLayerTest {

    @Test
    void blockMatchesTorch_outputAndGradients_withPadding() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ConformerLayerTest.class, "block", m);
            ConformerLayer layer =
                    ConformerLayer.config()
                            .inputDim(g.intMeta("inputDim"))
                            .numHeads(g.intMeta("numHeads"))
                            .convKernelSize(g.intMeta("convKernelSize"))
                            .dropout(0)
                            .instantiate();
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            NDArray valid = g.input("valid").toType(DataType.BOOLEAN, false);
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> layer.forward(ForwardContext.eval(params, m), in.get("x"), valid),
                    1e-4,
                    1e-5);
        }
    }

    @Test
    void subsamplerShrinksTimeFourfold() {
        assertEquals(24, ConvSubsampler.subsampled(100));
        assertEquals(0, ConvSubsampler.subsampled(6));
        assertEquals(1, ConvSubsampler.subsampled(7));
        try (NDManager m = TorchGolden.manager()) {
            ConvSubsampler s =
                    ConvSubsampler.config().inputDim(80).outputDim(16).channels(4).instantiate();
            ParamTree p = s.initParams(1, m);
            NDArray y =
                    s.forward(
                            ForwardContext.eval(p, m),
                            m.randomNormal(new ai.djl.ndarray.types.Shape(2, 100, 80)));
            assertEquals(new ai.djl.ndarray.types.Shape(2, 24, 16), y.getShape());
        }
    }
}
