package io.axlearn.multimodal.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.attention.HiddenDim;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Example;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.GradCheck;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.vision.input.ImageFeatures;
import io.axlearn.vision.vit.VisionTransformer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipModelTest {

    /** The model of tools/golden/multimodal_clip.py, from the golden's metadata. */
    static ClipModel.Config config(TorchGolden g) {
        VisionTransformer.Config vit =
                VisionTransformer.vit(
                        g.intMeta("imageSize"),
                        g.intMeta("patchSize"),
                        g.intMeta("imageDim"),
                        g.intMeta("imageLayers"),
                        g.intMeta("imageHeads"));
        vit.set(
                "encoder.layer.feedForward.hiddenDim",
                new HiddenDim.Scaled((double) g.intMeta("imageHidden") / g.intMeta("imageDim"), 1));
        BertEncoder.Config text =
                BertEncoder.bert(
                                g.intMeta("vocabSize"),
                                g.intMeta("textDim"),
                                g.intMeta("textLayers"),
                                g.intMeta("textHeads"),
                                g.intMeta("textHidden"),
                                0.0)
                        .typeVocabSize(0)
                        .positionEmbedding(
                                LearnedPositionEmbedding.config()
                                        .maxPositions(g.intMeta("maxPositions")));
        int size = g.intMeta("imageSize");
        return ClipModel.config()
                .imageEncoder(vit)
                .textEncoder(text)
                .embedDim(g.intMeta("embedDim"))
                .imageShape(g.intMeta("channels"), size, size);
    }

    private static void checkAgainstGolden(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ClipModelTest.class, name, m);
            ClipModel model = config(g).instantiate();
            ParamTree params = g.params();
            assertEquals(model.paramSpecs().keySet(), params.asMap().keySet());
            Map<String, NDArray> batch =
                    Map.of(
                            ImageFeatures.IMAGE,
                            g.input("x"),
                            CaptionProcessor.TEXT_IDS,
                            g.input("ids"),
                            CaptionProcessor.TEXT_MASK,
                            g.input("mask"),
                            "weight",
                            g.input("weight"));
            // The loss and the gradient of every parameter of both towers, the projections and
            // the temperature.
            GradCheck.check(
                    g,
                    params,
                    Map.of(),
                    in -> model.forward(ForwardContext.eval(params, m), batch).loss(),
                    1e-4,
                    1e-5);
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray scale = model.logitScale(ctx);
            TorchGolden.assertClose(g.output("scale"), scale, "scale");
            ClipModel.Contrast c =
                    model.contrast(
                            model.imageEmbeddings(ctx, g.input("x")),
                            model.textEmbeddings(ctx, g.input("ids"), g.input("mask")),
                            scale,
                            g.input("weight"));
            TorchGolden.assertAllClose(g.output("logits"), c.logits(), 1e-4, 1e-4, "logits");
        }
    }

    @Test
    void lossLogitsAndGradients_matchTorch() {
        checkAgainstGolden("clip");
    }

    @Test
    void logitScale_isClampedAt100_andGetsNoGradientThere() {
        // The golden's grads/log_logit_scale is 0: GradCheck checks the clamp's gradient too.
        checkAgainstGolden("clip_clamped");
    }

    @Test
    void captions_fillTheTemplateWithTheClassName_andPad() {
        CaptionProcessor captions =
                new CaptionProcessor()
                        .classNames(List.of("cat", "dog"))
                        .templates(List.of("a {label}", "the {label} here"))
                        .length(8);
        var processor = captions.instantiate();
        Example image = Example.of(Map.of(ImageFeatures.LABEL, new int[] {1}));
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (long draw = 0; draw < 20; draw++) {
            Example e = processor.apply(image, draw);
            int[] ids = e.ints(CaptionProcessor.TEXT_IDS);
            int[] mask = e.ints(CaptionProcessor.TEXT_MASK);
            int n = 0;
            while (n < mask.length && mask[n] == 1) {
                n++;
            }
            seen.add(new String(toBytes(ids, n), java.nio.charset.StandardCharsets.UTF_8));
            for (int i = n; i < ids.length; i++) {
                assertEquals(0, ids[i]);
                assertEquals(0, mask[i]);
            }
        }
        assertEquals(java.util.Set.of("a dog", "the dog "), seen, "cut to 8 bytes, both templates");
        CaptionProcessor.Captions prompts = captions.captions("model.zeroShotPrompts");
        assertEquals(new ai.djl.ndarray.types.Shape(2, 8), prompts.shape());
        assertEquals('c', prompts.ids()[2]);
        assertEquals('d', prompts.ids()[8 + 2]);
    }

    private static byte[] toBytes(int[] ids, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ids[i];
        }
        return b;
    }

    @Test
    void badConfig_namesTheField() {
        ConfigException noLabel =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new CaptionProcessor()
                                        .classNames(List.of("cat"))
                                        .templates(List.of("a photo"))
                                        .length(8)
                                        .instantiate());
        assertTrue(noLabel.getMessage().contains("templates"), noLabel.getMessage());
        assertTrue(noLabel.getMessage().contains("has no {label}"), noLabel.getMessage());
    }
}
