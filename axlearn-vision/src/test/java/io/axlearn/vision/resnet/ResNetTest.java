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
import io.axlearn.core.testing.GradCheck;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.vision.classifier.ImageClassifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
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

    /**
     * The values tools/golden/vision.py's {@code formula_values} gives the {@code k}-th tensor of
     * the state dict: an integer hash of the flat index mapped to [-0.5, 0.5), scaled by kind.
     */
    private static float[] formulaValues(int k, long[] shape, String kind) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < n; i++) {
            double u = ((i * 2654435761L + k * 40503L) & 0xffffffffL) / 4294967296.0 - 0.5;
            double v =
                    switch (kind) {
                        case "weight" -> u * Math.sqrt(12.0 / (n / shape[0])) * 1.4;
                        case "scale" -> 1.0 + 0.2 * u;
                        case "variance" -> 1.0 + 0.5 * (u + 0.5);
                        default -> 0.2 * u;
                    };
            out[i] = (float) v;
        }
        return out;
    }

    @Test
    void torchvisionResNet18_loadsThroughTheNameMap_andMatchesItsEvalLogits() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ResNetTest.class, "resnet18_eval", m);
            Map<String, NDArray> stateDict = new HashMap<>();
            String[] tensors = g.meta("tensors").split(";");
            for (int k = 0; k < tensors.length; k++) {
                String[] parts = tensors[k].split(":");
                long[] shape =
                        java.util.Arrays.stream(parts[2].split("x"))
                                .mapToLong(Long::parseLong)
                                .toArray();
                stateDict.put(
                        parts[0], m.create(formulaValues(k, shape, parts[1]), new Shape(shape)));
            }
            ImageClassifier model =
                    ImageClassifier.config()
                            .encoder(ResNet.resnet18())
                            .numClasses(10)
                            .imageShape(3, 64, 64)
                            .instantiate();
            SortedMap<String, NDArray> params =
                    new TreeMap<>(TorchvisionResNet.toParams(stateDict, "encoder/", "head/"));
            assertEquals(model.paramSpecs().keySet(), params.keySet());
            ParamTree tree = ParamTree.of(params);
            NDArray logits = model.logits(ForwardContext.eval(tree, m), g.input("x"));
            TorchGolden.assertAllClose(g.output("y"), logits, 1e-4, 1e-4, "resnet18 logits");
        }
    }

    @Test
    void torchvisionNames_unknownKey_isNamed() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TorchvisionResNet.path("layer1.0.relu.weight", "", "head/"));
        assertTrue(e.getMessage().contains("layer1.0.relu.weight"), e.getMessage());
        assertEquals(
                "encoder/stage1_block0/shortcut_norm/moving_variance",
                TorchvisionResNet.path("layer2.0.downsample.1.running_var", "encoder/", "head/"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"basic_block", "bottleneck_block"})
    void block_inTrainingMode_matchesTorchvisionOutputAndGradients(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ResNetTest.class, name, m);
            ResNetBlock block =
                    ResNetBlock.config()
                            .inputDim(g.intMeta("inputDim"))
                            .outputDim(g.intMeta("outputDim"))
                            .stride(g.intMeta("stride"))
                            .kind(ResNetBlock.Kind.valueOf(g.meta("kind")))
                            .instantiate();
            ParamTree trained = g.params();
            // The moving statistics are read (for their update) but get no gradient.
            SortedMap<String, NDArray> all = new TreeMap<>(trained.asMap());
            block.initParams(1, m).asMap().forEach(all::putIfAbsent);
            assertEquals(block.paramSpecs().keySet(), all.keySet());
            ParamTree params = ParamTree.of(all);
            NDArray x = g.input("x");
            GradCheck.check(
                    g,
                    trained,
                    Map.of("x", x),
                    in -> block.forward(ForwardContext.of(params, m, true, 0), in.get("x")),
                    1e-4,
                    1e-5);
        }
    }
}
