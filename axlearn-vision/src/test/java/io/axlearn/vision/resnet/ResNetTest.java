package io.axlearn.vision.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResNetTest {

    private static long trainableCount(ResNet net) {
        return net.paramSpecs().values().stream()
                .filter(ParamSpec::trainable)
                .mapToLong(s -> s.shape().size())
                .sum();
    }

    @Test
    void presets_haveTorchvisionParameterCounts() {
        // torchvision resnet18 / resnet50 minus their 1000-way fc layer.
        assertEquals(11_689_512L - 513_000L, trainableCount(ResNet.resnet18().instantiate()));
        assertEquals(25_557_032L - 2_049_000L, trainableCount(ResNet.resnet50().instantiate()));
        assertEquals(21_797_672L - 513_000L, trainableCount(ResNet.resnet34().instantiate()));
        ResNet small = ResNet.small(1, 8).inputDim(1).instantiate();
        assertTrue(small.paramSpecs().containsKey("stage1_block0/shortcut_conv/weight"));
        assertTrue(!small.paramSpecs().containsKey("stage0_block0/shortcut_conv/weight"));
    }

    @Test
    void forward_downsamplesPerStage() {
        ResNet small = ResNet.small(1, 4).inputDim(1).stochasticDepthRate(0.5).instantiate();
        ResNet bottleneck =
                ResNet.config()
                        .stemDim(8)
                        .blocksPerStage(List.of(1, 1))
                        .stageDims(List.of(16, 32))
                        .blockKind(ResNetBlock.Kind.BOTTLENECK)
                        .instantiate();
        try (NDManager m = NDManager.newBaseManager()) {
            ParamTree p = small.initParams(1, m);
            NDArray x = m.randomNormal(new Shape(2, 1, 28, 28));
            NDArray y = small.forward(ForwardContext.of(p, m, true, 3), x);
            assertEquals(new Shape(2, 16, 7, 7), y.getShape());
            NDArray e = small.forward(ForwardContext.eval(p, m), x);
            assertEquals(new Shape(2, 16, 7, 7), e.getShape());
            assertTrue(e.min().getFloat() >= 0, "ReLU output");

            ParamTree pb = bottleneck.initParams(1, m);
            NDArray z =
                    bottleneck.forward(
                            ForwardContext.eval(pb, m), m.randomNormal(new Shape(1, 3, 64, 64)));
            assertEquals(new Shape(1, 32, 8, 8), z.getShape());
        }
    }

    @Test
    void badConfigs_nameTheField() {
        ConfigException widths =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ResNet.config()
                                        .blocksPerStage(List.of(1, 1))
                                        .stageDims(List.of(8))
                                        .instantiate());
        assertTrue(widths.getMessage().contains("stageDims"), widths.getMessage());
        ConfigException bottleneck =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ResNetBlock.config()
                                        .inputDim(4)
                                        .outputDim(6)
                                        .kind(ResNetBlock.Kind.BOTTLENECK)
                                        .instantiate());
        assertTrue(bottleneck.getMessage().contains("outputDim"), bottleneck.getMessage());
    }
}
