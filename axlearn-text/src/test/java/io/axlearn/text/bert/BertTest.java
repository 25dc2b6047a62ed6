package io.axlearn.text.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.attention.AttentionBias;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BertTest {
    /** Parity tolerance: 1e-5 of the largest magnitude of the reference tensor. */
    private static final double TOLERANCE = 1e-5;

    /** The tiny encoder of the goldens (tools/golden/text_bert.py), dropout off. */
    private static BertEncoder.Config goldenEncoder(TorchGolden g) {
        return BertEncoder.bert(
                        g.intMeta("vocabSize"),
                        g.intMeta("dim"),
                        g.intMeta("numLayers"),
                        g.intMeta("numHeads"),
                        g.intMeta("hiddenDim"),
                        0.0)
                .typeVocabSize(g.intMeta("typeVocabSize"))
                .positionEmbedding(
                        io.axlearn.core.layers.LearnedPositionEmbedding.config()
                                .maxPositions(g.intMeta("maxPositions")));
    }

    /** Asserts {@code |actual - expected| <= TOLERANCE * max|expected|} element-wise. */
    private static void assertScaledClose(NDArray expected, NDArray actual, String what) {
        assertScaledClose(expected, actual, expected.abs().max().getFloat(), what);
    }

    /** Asserts {@code |actual - expected| <= TOLERANCE * scale} element-wise. */
    private static void assertScaledClose(
            NDArray expected, NDArray actual, double scale, String what) {
        TorchGolden.assertAllClose(expected, actual, 0, TOLERANCE * scale, what);
    }

    /**
     * Runs {@code forward} under autograd, checks its output against {@code outputs/y} and the
     * gradients of {@code sum(y * dy)} of every parameter (and of {@code inputs}) against {@code
     * grads/}, each to {@link #TOLERANCE} of the reference's scale.
     */
    private static void checkWithGradients(
            TorchGolden g, ParamTree params, Map<String, NDArray> inputs, Supplier<NDArray> fwd) {
        inputs.values().forEach(a -> a.setRequiresGradient(true));
        params.asMap().values().forEach(p -> p.setRequiresGradient(true));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = fwd.get();
            assertScaledClose(g.output("y"), y, "y");
            gc.backward(y.mul(g.input("dy")).sum());
        }
        inputs.forEach((n, a) -> assertScaledClose(g.grad(n), a.getGradient(), "dL/d" + n));
        params.asMap()
                .forEach(
                        (p, a) -> {
                            // Softmax ignores a shift shared by a query's scores, so the key bias
                            // has no gradient: both sides hold round-off, measured on the scale of
                            // the query bias's gradient.
                            String ref =
                                    p.endsWith("k_proj/bias") ? p.replace("k_proj", "q_proj") : p;
                            double scale = g.grad(ref).abs().max().getFloat();
                            assertScaledClose(g.grad(p), a.getGradient(), scale, "dL/d" + p);
                        });
    }

    @Test
    void encoderLayer_withPaddingMask_outputAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(BertTest.class, "encoder_layer", m);
            TransformerLayer layer =
                    goldenEncoder(g)
                            .encoder()
                            .layer()
                            .copy()
                            .inputDim(g.intMeta("dim"))
                            .instantiate();
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            NDArray x = g.input("x");
            NDArray bias = AttentionBias.padding(g.input("mask"));
            checkWithGradients(
                    g,
                    params,
                    Map.of("x", x),
                    () -> layer.forward(ForwardContext.eval(params, m), x, bias));
        }
    }

    @Test
    void tinyMlm_hiddenStatesLogitsGradientsAndLoss_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(BertTest.class, "tiny_mlm", m);
            BertMlm model = BertMlm.of(goldenEncoder(g)).instantiate();
            ParamTree params = g.params();
            assertEquals(model.paramSpecs().keySet(), params.asMap().keySet());
            NDArray ids = g.input("ids");
            NDArray types = g.input("type_ids");
            NDArray mask = g.input("input_mask");
            checkWithGradients(
                    g,
                    params,
                    Map.of(),
                    () -> {
                        ForwardContext ctx = ForwardContext.eval(params, m);
                        NDArray hidden = model.hidden(ctx, ids, types, mask);
                        assertScaledClose(g.output("hidden"), hidden, "hidden");
                        return model.logits(ctx, hidden);
                    });
            Map<String, NDArray> batch = new HashMap<>();
            batch.put(BertMlm.INPUTS, ids);
            batch.put(BertMlm.TYPE_IDS, types);
            batch.put(BertMlm.INPUT_MASK, mask);
            batch.put(BertMlm.TARGETS, g.input("targets"));
            batch.put(BertMlm.TARGET_WEIGHTS, g.input("target_weights"));
            batch.put("weight", m.ones(new Shape(2)));
            BaseModel.Output out = model.forward(ForwardContext.eval(params, m), batch);
            assertScaledClose(g.output("loss"), out.loss(), "loss");
            assertEquals(
                    g.input("target_weights").sum().getFloat(), out.lossWeight().getFloat(), 0);
            // A padding example (weight 0) drops out; a batch of padding has loss 0.
            batch.put("weight", m.create(new float[] {1, 0}));
            BaseModel.Output first = model.forward(ForwardContext.eval(params, m), batch);
            assertEquals(
                    g.input("target_weights").get(0).sum().getFloat(),
                    first.lossWeight().getFloat(),
                    0);
            batch.put("weight", m.zeros(new Shape(2)));
            BaseModel.Output none = model.forward(ForwardContext.eval(params, m), batch);
            assertEquals(0f, none.loss().getFloat());
            assertEquals(0f, none.lossWeight().getFloat());
        }
    }

    @Test
    void tinyClassifier_logitsAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(BertTest.class, "tiny_classifier", m);
            BertClassifier model =
                    BertClassifier.of(goldenEncoder(g), g.intMeta("numClasses")).instantiate();
            ParamTree params = g.params();
            assertEquals(model.paramSpecs().keySet(), params.asMap().keySet());
            checkWithGradients(
                    g,
                    params,
                    Map.of(),
                    () ->
                            model.logits(
                                    ForwardContext.eval(params, m),
                                    g.input("ids"),
                                    g.input("type_ids"),
                                    g.input("input_mask")));
        }
    }

    @Test
    void paddedTokens_doNotChangeTheRealTokensStates() {
        BertEncoder encoder = BertEncoder.bert(50, 16, 2, 2, 32, 0.0).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = encoder.initParams(5, m);
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray mask = m.create(new long[] {1, 1, 1, 1, 0, 0}, new Shape(1, 6));
            NDArray a = m.create(new long[] {2, 7, 9, 4, 0, 0}, new Shape(1, 6));
            NDArray b = m.create(new long[] {2, 7, 9, 4, 31, 12}, new Shape(1, 6));
            NDArray ha = encoder.forward(ctx, a, null, mask);
            NDArray hb = encoder.forward(ctx, b, null, mask);
            TorchGolden.assertClose(ha.get(":, :4, :"), hb.get(":, :4, :"), "real tokens");
            NDArray unmasked = encoder.forward(ctx, b, null, null);
            assertFalse(
                    unmasked.get(":, :4, :").allClose(hb.get(":, :4, :"), 1e-4, 1e-4, false),
                    "without the mask the padding is attended to");
        }
    }

    @Test
    void presets_haveHuggingFacesSizes() {
        // bert-base-uncased's BertModel (with pooler) has 109,482,240 parameters.
        BertClassifier base = BertClassifier.of(BertEncoder.base(), 2).instantiate();
        long classifier = 768 * 2 + 2;
        assertEquals(109_482_240L, count(base.paramSpecs()) - classifier);
        SortedMap<String, ParamSpec> tiny =
                BertMlm.of(BertEncoder.tiny()).instantiate().paramSpecs();
        assertEquals(new Shape(30522, 128), tiny.get("bert/token_embedding/weight").shape());
        assertEquals(new Shape(512, 128), tiny.get("bert/position_embedding/weight").shape());
        assertEquals(new Shape(2, 128), tiny.get("bert/type_embedding/weight").shape());
        assertEquals(
                new Shape(128, 512),
                tiny.get("bert/encoder/layer1/feed_forward/linear1/weight").shape());
        assertFalse(tiny.containsKey("bert/encoder/layer2/attention_norm/scale"));
        assertEquals(new Shape(30522), tiny.get("mlm_head/output_bias").shape());
        SortedMap<String, ParamSpec> small = BertEncoder.small().instantiate().paramSpecs();
        assertEquals(
                new Shape(512, 2048),
                small.get("encoder/layer3/feed_forward/linear1/weight").shape());
        Map<String, ?> flat = BertEncoder.base().toFlatMap();
        assertEquals("1.0E-12", String.valueOf(flat.get("encoder.layer.norm.eps")));
        assertEquals("1.0E-12", String.valueOf(flat.get("embeddingNorm.eps")));
        assertEquals("0.1", String.valueOf(flat.get("encoder.layer.selfAttention.dropout.rate")));
    }

    private static long count(SortedMap<String, ParamSpec> specs) {
        return specs.values().stream().mapToLong(s -> s.shape().size()).sum();
    }

    @Test
    void causalLayers_areAConfigError() {
        BertEncoder.Config cfg = BertEncoder.bert(50, 16, 1, 2, 32, 0.0);
        cfg.set("encoder.layer.selfAttention.causal", true);
        ConfigException e = assertThrows(ConfigException.class, () -> cfg.instantiateAt("model"));
        assertEquals(
                "model.encoder.layer.selfAttention.causal is true, but a BERT encoder attends in"
                        + " both directions (BertEncoder.Config)",
                e.getMessage());
    }

    @Test
    void modelConfigs_roundTripThroughJson() {
        BertMlm.Config mlm = BertMlm.of(BertEncoder.tiny());
        assertEquals(mlm, ConfigJson.fromJson(ConfigJson.toJson(mlm), BertMlm.Config.class));
        BertClassifier.Config cls = BertClassifier.of(BertEncoder.small(), 3);
        assertEquals(cls, ConfigJson.fromJson(ConfigJson.toJson(cls), BertClassifier.Config.class));
    }
}
