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

    /** The image tower of tools/golden/multimodal_clip.py, from the golden's metadata. */
    static VisionTransformer.Config imageTower(TorchGolden g) {
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
        return vit;
    }

    /** The text tower of tools/golden/multimodal_clip.py. */
    static BertEncoder.Config textTower(TorchGolden g) {
        return BertEncoder.bert(
                        g.intMeta("vocabSize"),
                        g.intMeta("textDim"),
                        g.intMeta("textLayers"),
                        g.intMeta("textHeads"),
                        g.intMeta("textHidden"),
                        0.0)
                .typeVocabSize(0)
                .positionEmbedding(
                        LearnedPositionEmbedding.config().maxPositions(g.intMeta("maxPositions")));
    }

    /** The model of tools/golden/multimodal_clip.py, from the golden's metadata. */
    static ClipModel.Config config(TorchGolden g) {
        int size = g.intMeta("imageSize");
        return ClipModel.config()
                .imageEncoder(imageTower(g))
                .textEncoder(textTower(g))
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
    void eachTowersForward_andTheEmbeddings_matchTorch() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ClipModelTest.class, "clip", m);
            ParamTree params = g.params();
            // The image encoder alone on its parameters: the normed class token.
            VisionTransformer vit = imageTower(g).inputDim(g.intMeta("channels")).instantiate();
            NDArray features =
                    vit.encode(ForwardContext.eval(params.scope("image_encoder"), m), g.input("x"));
            TorchGolden.assertAllClose(
                    g.output("image_features"), features, 1e-4, 1e-5, "image_features");
            // The text encoder alone: its last layer at every position, padding included.
            BertEncoder bert = textTower(g).instantiate();
            NDArray hidden =
                    bert.forward(
                            ForwardContext.eval(params.scope("text_encoder"), m),
                            g.input("ids"),
                            null,
                            g.input("mask"));
            TorchGolden.assertAllClose(g.output("text_hidden"), hidden, 1e-4, 1e-5, "text_hidden");
            ClipModel model = config(g).instantiate();
            ForwardContext ctx = ForwardContext.eval(params, m);
            TorchGolden.assertAllClose(
                    g.output("image_embeddings"),
                    model.imageEmbeddings(ctx, g.input("x")),
                    1e-4,
                    1e-5,
                    "image_embeddings");
            NDArray text = model.textEmbeddings(ctx, g.input("ids"), g.input("mask"));
            TorchGolden.assertAllClose(
                    g.output("text_embeddings"), text, 1e-4, 1e-5, "text_embeddings");
            // A padding caption (no real token) embeds as zeros, not NaN, and changes no other row.
            NDArray emptyMask = g.input("mask").duplicate();
            emptyMask.set(new ai.djl.ndarray.index.NDIndex("3, :"), 0);
            NDArray padded = model.textEmbeddings(ctx, g.input("ids"), emptyMask);
            assertEquals(0f, padded.get(3).abs().sum().getFloat());
            TorchGolden.assertAllClose(
                    text.get("0:3"), padded.get("0:3"), 1e-6, 1e-6, "rows with real tokens");
        }
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

    /** The caption text of a processed example. */
    private static String text(Example e) {
        int[] ids = e.ints(CaptionProcessor.TEXT_IDS);
        int[] mask = e.ints(CaptionProcessor.TEXT_MASK);
        int n = 0;
        while (n < mask.length && mask[n] == 1) {
            n++;
        }
        return new String(toBytes(ids, n), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void captions_describeTheImage_withEachWordKeptAtTheProbability() {
        CaptionProcessor captions =
                new CaptionProcessor()
                        .classNames(List.of("sandal", "eight"))
                        .templates(List.of("a {label}"))
                        .length(40)
                        .imageShape(28, 28)
                        .addAttribute(
                                new ImageAttribute()
                                        .measure(ImageAttribute.Measure.BOX_AREA)
                                        .below(0.1, "small")
                                        .above(0.5, "large")
                                        .labels(List.of(0)))
                        .addAttribute(
                                new ImageAttribute()
                                        .measure(ImageAttribute.Measure.CENTRE_X)
                                        .below(-0.1, "on the left")
                                        .above(0.1, "on the right")
                                        .labels(List.of(0))
                                        .afterNoun(true));
        // A 10 x 5 block centred on column 4: a small image on the left.
        float[] image = ImageAttributeTest.rectangle(4, 2, 10, 5, 0.8f);
        Example sandal =
                Example.of(Map.of(ImageFeatures.IMAGE, image, ImageFeatures.LABEL, new int[] {0}));
        Example eight =
                Example.of(Map.of(ImageFeatures.IMAGE, image, ImageFeatures.LABEL, new int[] {1}));
        var all = captions.instantiate();
        assertEquals("a small sandal on the left", text(all.apply(sandal, 0)));
        assertEquals("an eight", text(all.apply(eight, 0)), "no attribute for label 1; 'an'");
        var some = captions.copy().attributeProbability(0.5).instantiate();
        java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
        for (long draw = 0; draw < 400; draw++) {
            seen.merge(text(some.apply(sandal, draw)), 1, Integer::sum);
        }
        assertEquals(
                java.util.Set.of(
                        "a sandal",
                        "a small sandal",
                        "a sandal on the left",
                        "a small sandal on the left"),
                seen.keySet());
        for (int count : seen.values()) {
            assertTrue(count > 60 && count < 140, "about a quarter each: " + seen);
        }
        // The zero-shot prompts name the class alone.
        CaptionProcessor.Captions prompts = captions.captions("model.zeroShotPrompts");
        assertEquals('s', prompts.ids()[2]);
        assertEquals('n', prompts.ids()[40 + 1], "an eight");
    }

    @Test
    void attributesWithoutTheImageShape_isAConfigError() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new CaptionProcessor()
                                        .classNames(List.of("cat"))
                                        .templates(List.of("a {label}"))
                                        .length(8)
                                        .addAttribute(
                                                new ImageAttribute()
                                                        .measure(ImageAttribute.Measure.ASPECT)
                                                        .below(0.5, "tall")
                                                        .above(2, "wide"))
                                        .instantiate());
        assertTrue(e.getMessage().contains("imageHeight"), e.getMessage());
    }

    /** Caption token ids of {@code texts}, padded to 3. */
    private static int[][] captionArrays(String... texts) {
        int[] ids = new int[texts.length * 3];
        int[] mask = new int[ids.length];
        for (int i = 0; i < texts.length; i++) {
            for (int j = 0; j < texts[i].length(); j++) {
                ids[i * 3 + j] = texts[i].charAt(j);
                mask[i * 3 + j] = 1;
            }
        }
        return new int[][] {ids, mask};
    }

    @Test
    void retrieval_countsHitsByCaptionText_andReportsChance() {
        // Pairs 0 and 1 share caption "A"; "C" is a prefix of "BC" (the mask tells them apart);
        // pair 4 is padding (weight 0) with caption "BC" and the highest score everywhere: it is
        // neither a query nor a candidate.
        float[] similarity = {
            0.9f, 0.9f, 0.1f, 0.2f, 1, // image 0, caption A: its own caption first: hit@1
            0.3f, 0.3f, 0.8f, 0.1f, 1, // image 1, caption A: BC ahead: hit@2 only
            0.5f, 0.5f, 0.4f, 0.6f, 1, // image 2, caption BC: A and C ahead (A's copy not): miss@2
            0.1f, 0.1f, 0.2f, 0.7f, 1, // image 3, caption C: hit@1
            1, 1, 1, 1, 1
        };
        int[][] captions = captionArrays("A", "A", "BC", "C", "BC");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> r =
                    ClipModel.retrieval(
                            m.create(similarity, new ai.djl.ndarray.types.Shape(5, 5)),
                            m.create(captions[0], new ai.djl.ndarray.types.Shape(5, 3)),
                            m.create(captions[1], new ai.djl.ndarray.types.Shape(5, 3)),
                            m.create(new float[] {1, 1, 1, 1, 0}),
                            List.of(1, 2));
            java.util.function.Function<String, Double> v = k -> (double) r.get(k).getFloat();
            assertEquals(0.5, v.apply("image_to_text_recall_at_1"), 1e-6);
            assertEquals(0.75, v.apply("image_to_text_recall_at_2"), 1e-6);
            // Three distinct captions.
            assertEquals(1 / 3.0, v.apply("image_to_text_recall_at_1_chance"), 1e-6);
            assertEquals(2 / 3.0, v.apply("image_to_text_recall_at_2_chance"), 1e-6);
            // Caption A finds image 0 (an A) first from either copy; BC finds image 1 first.
            assertEquals(0.75, v.apply("text_to_image_recall_at_1"), 1e-6);
            assertEquals(1.0, v.apply("text_to_image_recall_at_2"), 1e-6);
            // Random ranking of 4 images: A has 2 true ones (1/2, 5/6), BC and C one (1/4, 1/2).
            assertEquals(0.375, v.apply("text_to_image_recall_at_1_chance"), 1e-6);
            assertEquals(2 / 3.0, v.apply("text_to_image_recall_at_2_chance"), 1e-6);
        }
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
