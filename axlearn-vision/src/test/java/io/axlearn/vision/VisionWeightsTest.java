package io.axlearn.vision;

import static io.axlearn.core.testing.WeightMapChecks.assertCloseToScale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.core.testing.WeightMapChecks;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.classifier.ImageEncoder;
import io.axlearn.vision.resnet.ResNet;
import io.axlearn.vision.vit.VitWeights;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Hugging Face ViT and torchvision ResNet name maps against tools/golden/interop_vision.py. */
class VisionWeightsTest {
    private static Map<String, NDArray> stateDict(String name, NDManager m) {
        return WeightMapChecks.stateDict(VisionWeightsTest.class, name, m);
    }

    /** Imports {@code name}'s state dict into a classifier over {@code encoder}, checks logits. */
    private static void assertLogitsMatch(
            String name, ImageEncoder.Config<?, ?> encoder, int side, NDManager m)
            throws Exception {
        TorchGolden g = TorchGolden.load(VisionWeightsTest.class, name + "_expected", m);
        Map<String, NDArray> sd = stateDict(name, m);
        ImageClassifier model =
                ImageClassifier.config()
                        .encoder(encoder)
                        .numClasses(g.intMeta("classes"))
                        .imageShape(3, side, side)
                        .instantiate();
        SortedMap<String, NDArray> params =
                WeightFamily.named(name)
                        .forForeign(sd.keySet())
                        .toOurs(sd, WeightMap.Selection.all().withSpecs(model.paramSpecs()))
                        .tensors();
        assertEquals(model.paramSpecs().keySet(), params.keySet());
        NDArray logits = model.logits(ForwardContext.eval(ParamTree.of(params), m), g.input("x"));
        assertCloseToScale(g.output("logits"), logits, 1e-5, name + " logits");
    }

    @Test
    void vit_hfNames_matchTorchLogits() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(VisionWeightsTest.class, "vit_expected", m);
            assertLogitsMatch(
                    "vit",
                    VitWeights.config(
                            g.intMeta("image"),
                            g.intMeta("patch"),
                            g.intMeta("dim"),
                            g.intMeta("layers"),
                            g.intMeta("heads"),
                            g.intMeta("ffn"),
                            1e-12),
                    g.intMeta("image"),
                    m);
        }
    }

    @Test
    void resnet_torchvisionNames_withRunningStatistics_matchTorchLogits() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            ResNet.Config resnet =
                    ResNet.config()
                            .stemDim(8)
                            .stageDims(List.of(8, 16, 32, 64))
                            .blocksPerStage(List.of(1, 2, 1, 1));
            assertLogitsMatch("resnet", resnet, 32, m);
        }
    }

    @Test
    void roundTrips_giveBackTheSameBytesAndNames() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> vit = stateDict("vit", m);
            SortedMap<String, NDArray> ours =
                    WeightMapChecks.assertExactRoundTrip(
                            new VitWeights().forForeign(vit.keySet()), vit, Set.of());
            assertEquals(List.of(16L), List.of(ours.get("encoder/class_token").getShape().get(0)));

            Map<String, NDArray> resnet = stateDict("resnet", m);
            WeightFamily family = WeightFamily.named("resnet");
            Set<String> counters =
                    resnet.keySet().stream()
                            .filter(k -> k.endsWith("num_batches_tracked"))
                            .collect(Collectors.toSet());
            SortedMap<String, NDArray> fromTorch =
                    WeightMapChecks.assertExactRoundTrip(
                            family.forForeign(resnet.keySet()), resnet, counters);
            Map<String, NDArray> expected = new TreeMap<>(resnet);
            expected.keySet().removeAll(counters);
            WeightMapChecks.assertSameTensors(
                    expected,
                    family.forOurs(fromTorch.keySet())
                            .toForeign(fromTorch, WeightMap.Selection.all())
                            .tensors(),
                    "resnet export from our names");
        }
    }

    @Test
    void misShapedPositionEmbedding_namesBothShapes() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> vit = stateDict("vit", m);
            ImageClassifier bigger =
                    ImageClassifier.config()
                            .encoder(VitWeights.config(12, 4, 16, 2, 4, 32, 1e-12))
                            .numClasses(5)
                            .imageShape(3, 12, 12)
                            .instantiate();
            ConfigException e =
                    assertThrows(
                            ConfigException.class,
                            () ->
                                    new VitWeights()
                                            .forForeign(vit.keySet())
                                            .toOurs(
                                                    vit,
                                                    WeightMap.Selection.all()
                                                            .withSpecs(bigger.paramSpecs())));
            assertEquals(
                    "vit: tensor vit.embeddings.position_embeddings is (1, 5, 16), expected (1, 10,"
                            + " 16) (for encoder/position_embedding/weight)",
                    e.getMessage());
        }
    }
}
