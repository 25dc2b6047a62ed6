package io.axlearn.vision.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.layers.SinusoidalPositionEmbedding;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.GradCheck;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.vision.classifier.ImageClassifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VisionTransformerTest {

    @Test
    void vitClassifier_logitsAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(VisionTransformerTest.class, "vit", m);
            VisionTransformer.Config vit =
                    VisionTransformer.vit(
                            g.intMeta("imageSize"),
                            g.intMeta("patchSize"),
                            g.intMeta("dim"),
                            g.intMeta("numLayers"),
                            g.intMeta("numHeads"));
            vit.set(
                    "encoder.layer.feedForward.hiddenDim",
                    new io.axlearn.core.attention.HiddenDim.Scaled(
                            (double) g.intMeta("hiddenDim") / g.intMeta("dim"), 1));
            int size = g.intMeta("imageSize");
            ImageClassifier model =
                    ImageClassifier.config()
                            .encoder(vit)
                            .numClasses(g.intMeta("numClasses"))
                            .imageShape(g.intMeta("channels"), size, size)
                            .instantiate();
            ParamTree params = g.params();
            assertEquals(model.paramSpecs().keySet(), params.asMap().keySet());
            NDArray x = g.input("x");
            GradCheck.check(
                    g,
                    params,
                    Map.of(),
                    in -> model.logits(ForwardContext.eval(params, m), x),
                    1e-4,
                    1e-5);
        }
    }

    @Test
    void averagePooling_hasNoClassToken_andSinusoidalPositionsHaveNoParameters() {
        VisionTransformer avg =
                VisionTransformer.vit(8, 4, 8, 1, 2)
                        .pooling(VisionTransformer.Pooling.AVERAGE)
                        .positionEncoding(SinusoidalPositionEmbedding.config())
                        .inputDim(1)
                        .instantiate();
        assertTrue(avg.paramSpecs().keySet().stream().noneMatch(k -> k.contains("class_token")));
        assertTrue(avg.paramSpecs().keySet().stream().noneMatch(k -> k.startsWith("position_")));
        VisionTransformer cls = VisionTransformer.vit(8, 4, 8, 1, 2).inputDim(1).instantiate();
        assertEquals(new Shape(5, 8), cls.paramSpecs().get("position_embedding/weight").shape());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(3, 1, 8, 8));
            ParamTree p = avg.initParams(1, m);
            assertEquals(new Shape(3, 4, 8), avg.tokens(ForwardContext.eval(p, m), x).getShape());
            assertEquals(new Shape(3, 8), avg.encode(ForwardContext.eval(p, m), x).getShape());
            ParamTree pc = cls.initParams(1, m);
            assertEquals(new Shape(3, 5, 8), cls.tokens(ForwardContext.eval(pc, m), x).getShape());
            IllegalArgumentException wrong =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    cls.encode(
                                            ForwardContext.eval(pc, m),
                                            m.randomNormal(new Shape(1, 1, 12, 12))));
            assertTrue(wrong.getMessage().contains("[N, 1, 8, 8]"), wrong.getMessage());
        }
    }

    @Test
    void presets_haveThePapersSizes_andBadConfigsNameTheField() {
        long tiny =
                VisionTransformer.tiny().instantiate().paramSpecs().values().stream()
                        .mapToLong(s -> s.shape().size())
                        .sum();
        // timm's vit_tiny_patch16_224 has 5,717,416 parameters with its 1000-way head (192,000 +
        // 1,000) and a 197-position table.
        assertEquals(5_717_416L - 193_000L, tiny);
        ConfigException notMultiple =
                assertThrows(
                        ConfigException.class,
                        () -> VisionTransformer.vit(30, 4, 8, 1, 2).instantiate());
        assertTrue(notMultiple.getMessage().contains("imageSize"), notMultiple.getMessage());
        VisionTransformer.Config causal = VisionTransformer.vit(8, 4, 8, 1, 2);
        causal.set("encoder.layer.selfAttention.causal", true);
        ConfigException c = assertThrows(ConfigException.class, causal::instantiate);
        assertTrue(c.getMessage().contains("causal"), c.getMessage());
    }
}
