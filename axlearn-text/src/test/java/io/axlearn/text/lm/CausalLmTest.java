package io.axlearn.text.lm;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.attention.KvCache;
import io.axlearn.core.attention.RotaryEmbedding;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Batch;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.layers.PositionEncoding;
import io.axlearn.core.layers.SinusoidalPositionEmbedding;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.GradCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CausalLmTest {

    private static CausalLm.Config tiny(PositionEncoding.Config<?, ?> positions) {
        return CausalLm.gpt(13, 8, 2, 2, 2.0, 0.0).positionEncoding(positions);
    }

    private static PositionEncoding.Config<?, ?> encoding(String name) {
        return switch (name) {
            case "rotary" -> RotaryEmbedding.config();
            case "learned" -> LearnedPositionEmbedding.config().maxPositions(16);
            case "sinusoidal" -> SinusoidalPositionEmbedding.config();
            case "none" -> null;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void gptWithLearnedPositionsAndUntiedBiasedHead_logitsAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(CausalLmTest.class, "gpt_learned_untied", m);
            CausalLm.Config cfg =
                    CausalLm.gpt(
                                    g.intMeta("vocabSize"),
                                    g.intMeta("dim"),
                                    g.intMeta("numLayers"),
                                    g.intMeta("numHeads"),
                                    (double) g.intMeta("hiddenDim") / g.intMeta("dim"),
                                    0.0)
                            .positionEncoding(
                                    LearnedPositionEmbedding.config()
                                            .maxPositions(g.intMeta("maxPositions")))
                            .lmHead(Linear.config().bias(true));
            cfg.set("decoder.layer.feedForward.activation", Activation.GELU);
            CausalLm model = cfg.instantiate();
            ParamTree params = g.params();
            assertEquals(model.paramSpecs().keySet(), params.asMap().keySet());
            NDArray ids = g.input("ids");
            GradCheck.check(
                    g, params, Map.of(), in -> model.logits(ForwardContext.eval(params, m), ids));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rotary", "learned", "sinusoidal", "none"})
    void cachedDecoding_equalsFullForward(String name) {
        CausalLm model = tiny(encoding(name)).lmHead(Linear.config()).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(7, m);
            NDArray ids = m.randomInteger(0, 13, new Shape(2, 6), DataType.INT64);
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray full = model.logits(ctx, ids);
            List<KvCache> caches = model.emptyCaches();
            NDList steps = new NDList();
            for (int t = 0; t < 6; t++) {
                CausalLm.Step s = model.extendStep(ctx, caches, ids.get(":, {}:{}", t, t + 1));
                steps.add(s.logits());
                caches = s.caches();
            }
            assertEquals(6, caches.get(0).length());
            assertClose(full, NDArrays.concat(steps, 1), name + ": step-by-step decoding");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rotary", "learned", "sinusoidal", "none"})
    void packedDocuments_withSegmentsAndPositions_equalEachDocumentAlone(String name) {
        CausalLm model = tiny(encoding(name)).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(3, m);
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray first = m.create(new long[] {1, 2, 3, 4, 5}, new Shape(1, 5));
            NDArray second = m.create(new long[] {6, 7, 8}, new Shape(1, 3));
            NDArray packed = NDArrays.concat(new NDList(first, second), 1);
            NDArray segments = m.create(new int[] {1, 1, 1, 1, 1, 2, 2, 2}, new Shape(1, 8));
            NDArray positions = m.create(new int[] {0, 1, 2, 3, 4, 0, 1, 2}, new Shape(1, 8));
            NDArray logits = model.logits(ctx, packed, segments, positions);
            assertClose(model.logits(ctx, first), logits.get(":, 0:5, :"), name + ": first");
            assertClose(model.logits(ctx, second), logits.get(":, 5:, :"), name + ": second");
            NDArray unmasked = model.logits(ctx, packed);
            assertFalse(
                    unmasked.get(":, 5:, :").allClose(logits.get(":, 5:, :"), 1e-4, 1e-5, false),
                    name + ": without segment ids the second document sees the first");
        }
    }

    @Test
    void negativeLayerCount_isOneConfigErrorNamingNumLayers() {
        CausalLm.Config cfg = tiny(encoding("rotary"));
        cfg.set("decoder.numLayers", -1);
        ConfigException e = assertThrows(ConfigException.class, () -> cfg.instantiateAt("model"));
        assertTrue(
                e.getMessage().startsWith("model.decoder.numLayers must be positive, got -1"),
                e.getMessage());
    }

    @Test
    void trainingFlops_countDecoderMatricesLogitsAndAttention() {
        // vocab 13, dim 8, 2 layers, FFN 16: per layer q, k, v, o 4 * 64 and FFN 2 * 128 weights.
        CausalLm model = tiny(encoding("rotary")).instantiate();
        double perToken = 2 * (2 * (4 * 64 + 2 * 128) + 8 * 13) + 4 * 6 * 8 * 2;
        assertEquals(
                3 * 12 * perToken,
                model.trainingFlops(Map.of(CausalLm.INPUTS, new Shape(2, 6))),
                1e-9);
    }

    @Test
    void positionEncodings_changeTheModel_andOnlyLearnedHasParameters() {
        SortedMap<String, ParamSpec> rotary = tiny(encoding("rotary")).instantiate().paramSpecs();
        assertEquals(rotary.keySet(), tiny(null).instantiate().paramSpecs().keySet());
        assertEquals(
                rotary.keySet(), tiny(encoding("sinusoidal")).instantiate().paramSpecs().keySet());
        SortedMap<String, ParamSpec> learned = tiny(encoding("learned")).instantiate().paramSpecs();
        assertEquals(new Shape(16, 8), learned.get("position_embedding/weight").shape());
        assertEquals(rotary.size() + 1, learned.size());
        CausalLm without = tiny(null).instantiate();
        CausalLm sinusoidal = tiny(encoding("sinusoidal")).instantiate();
        CausalLm withRotary = tiny(encoding("rotary")).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = without.initParams(1, m);
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray repeated = m.create(new long[] {3, 3, 3, 3}, new Shape(1, 4));
            NDArray plain = without.logits(ctx, repeated);
            // Without positions, a repeated token gets the same logits everywhere.
            assertClose(plain.get(":, 0, :"), plain.get(":, 3, :"), "no position information");
            NDArray added = sinusoidal.logits(ctx, repeated);
            assertFalse(
                    added.get(":, 0, :").allClose(added.get(":, 3, :")),
                    "sinusoidal encodings tell the positions apart");
            // Rotary embeddings change the attention weights of every position but the first
            // (which sees only itself).
            NDArray ids = m.create(new long[] {1, 5, 2, 7}, new Shape(1, 4));
            NDArray rotated = withRotary.logits(ctx, ids);
            NDArray unrotated = without.logits(ctx, ids);
            assertClose(unrotated.get(":, 0, :"), rotated.get(":, 0, :"), "first position");
            assertFalse(
                    unrotated.get(":, 1:, :").allClose(rotated.get(":, 1:, :")),
                    "rotary embeddings act on later positions");
        }
    }

    @Test
    void outputHead_tiedByDefault_untiedWithOrWithoutBias() {
        assertNull(tiny(null).instantiate().children().get("lm_head"));
        SortedMap<String, ParamSpec> biased =
                tiny(null).lmHead(Linear.config()).instantiate().paramSpecs();
        assertEquals(new Shape(8, 13), biased.get("lm_head/weight").shape());
        assertEquals(new Shape(13), biased.get("lm_head/bias").shape());
        SortedMap<String, ParamSpec> plain =
                tiny(null).lmHead(Linear.config().bias(false)).instantiate().paramSpecs();
        assertTrue(plain.containsKey("lm_head/weight"));
        assertFalse(plain.containsKey("lm_head/bias"));
    }

    @Test
    void learnedPositions_pastTheLimit_areOneClearError() {
        CausalLm model =
                tiny(LearnedPositionEmbedding.config().maxPositions(4)).instantiateAt("model");
        try (NDManager m = TorchGolden.manager()) {
            ForwardContext ctx = ForwardContext.eval(model.initParams(1, m), m);
            NDArray ids = m.zeros(new Shape(1, 5), DataType.INT64);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> model.logits(ctx, ids));
            assertEquals(
                    "model.positionEncoding.maxPositions=4 does not cover positions 0..4 (a"
                            + " sequence of 5 from position 0)",
                    e.getMessage());
        }
    }

    @Test
    void positionEncoding_isSwappedByPath_asOnTheCommandLine() {
        CausalLm.Config cfg = tiny(RotaryEmbedding.config());
        cfg.set("positionEncoding.@type", "core/LearnedPositionEmbedding")
                .set("positionEncoding.maxPositions", 32);
        assertEquals(
                "core/LearnedPositionEmbedding", cfg.toFlatMap().get("positionEncoding.@type"));
        assertEquals(
                new Shape(32, 8),
                cfg.instantiate().paramSpecs().get("position_embedding/weight").shape());
        cfg.set("positionEncoding", null);
        assertFalse(cfg.instantiate().paramSpecs().containsKey("position_embedding/weight"));
    }

    @Test
    void rotaryInTheLayersAndInTheModel_isAConfigError() {
        CausalLm.Config cfg = tiny(null);
        cfg.set("decoder.layer.selfAttention.rotary", RotaryEmbedding.config());
        ConfigException e = assertThrows(ConfigException.class, () -> cfg.instantiateAt("model"));
        assertEquals(
                "model.decoder.layer.selfAttention.rotary is set, but the model's positionEncoding"
                        + " decides rotary embeddings: set model.positionEncoding to"
                        + " core/RotaryEmbedding instead (CausalLm.Config)",
                e.getMessage());
    }

    @Test
    void forward_lossIsTokenCrossEntropyOverWeightedExamples() {
        int vocab = 13;
        CausalLm model = CausalLm.gpt(vocab, 16, 1, 2, 2.0, 0.0).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(3, m);
            int[][] inputs = {{1, 5, 7, 2}, {3, 3, 12, 0}, {4, 8, 9, 10}};
            int[][] targets = {{5, 7, 2, 11}, {3, 12, 0, 6}, {8, 9, 10, 1}};
            float[] weight = {1, 0, 2}; // the second example is padding
            NDArray in = m.create(inputs);
            NDArray tg = m.create(targets);
            ForwardContext ctx = ForwardContext.of(params, m, false, 0);
            BaseModel.Output out =
                    model.forward(
                            ctx,
                            Map.of(
                                    CausalLm.INPUTS,
                                    in,
                                    CausalLm.TARGETS,
                                    tg,
                                    "weight",
                                    m.create(weight)));

            // Reference: log-softmax of the model's own logits, picked and averaged in Java.
            float[] logits =
                    model.logits(ForwardContext.of(params, m, false, 0), in).toFloatArray();
            double nll = 0;
            double hits = 0;
            double total = 0;
            for (int b = 0; b < inputs.length; b++) {
                for (int t = 0; t < inputs[b].length; t++) {
                    int row = (b * inputs[b].length + t) * vocab;
                    double max = Double.NEGATIVE_INFINITY;
                    int argMax = 0;
                    for (int v = 0; v < vocab; v++) {
                        if (logits[row + v] > max) {
                            max = logits[row + v];
                            argMax = v;
                        }
                    }
                    double sum = 0;
                    for (int v = 0; v < vocab; v++) {
                        sum += Math.exp(logits[row + v] - max);
                    }
                    double logProb = logits[row + targets[b][t]] - max - Math.log(sum);
                    nll -= weight[b] * logProb;
                    hits += weight[b] * (argMax == targets[b][t] ? 1 : 0);
                    total += weight[b];
                }
            }
            assertEquals(new Shape(), out.loss().getShape());
            assertEquals(nll / total, out.loss().getFloat(), 1e-5);
            assertEquals(total, out.lossWeight().getFloat(), 0);
            assertEquals(hits / total, out.metrics().get("accuracy").getFloat(), 1e-6);
        }
    }

    private static Map<String, NDArray> batch(NDManager m, int[] inputs, int[] targets) {
        return Map.of(
                CausalLm.INPUTS, m.create(inputs, new Shape(1, inputs.length)),
                CausalLm.TARGETS, m.create(targets, new Shape(1, targets.length)),
                Batch.WEIGHT, m.create(new float[] {1f}));
    }

    @Test
    void idsOutsideTheVocabulary_nameTheFeatureTheIdAndVocabSize() {
        CausalLm model = CausalLm.gpt(10, 8, 1, 2, 2.0, 0.0).instantiateAt("model");
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(0, m);
            ForwardContext ctx = ForwardContext.eval(params, m);
            float loss =
                    model.forward(ctx, batch(m, new int[] {0, 9, 3}, new int[] {9, 3, 1}))
                            .loss()
                            .getFloat();
            assertTrue(Float.isFinite(loss), "loss " + loss);
            ConfigException inputs =
                    assertThrows(
                            ConfigException.class,
                            () -> model.forward(ctx, batch(m, new int[] {0, 72, 3}, new int[3])));
            assertEquals(
                    "model.vocabSize is 10, but feature inputs of the batch holds id 72;"
                            + " ids must be in [0, 10)",
                    inputs.getMessage());
            ConfigException targets =
                    assertThrows(
                            ConfigException.class,
                            () -> model.forward(ctx, batch(m, new int[3], new int[] {1, -1, 10})));
            assertEquals(
                    "model.vocabSize is 10, but feature targets of the batch holds id -1;"
                            + " ids must be in [0, 10)",
                    targets.getMessage());
        }
    }

    @Test
    void lossSlot_takesLabelSmoothingAndZLossFromTheConfig() {
        CausalLm.Config cfg = CausalLm.gpt(13, 8, 1, 2, 2.0, 0.0);
        cfg.set("loss.labelSmoothing", 0.1).set("loss.zLossScale", 1e-2);
        CausalLm smoothed = cfg.instantiate();
        CausalLm plain = CausalLm.gpt(13, 8, 1, 2, 2.0, 0.0).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = plain.initParams(3, m);
            Map<String, NDArray> b = batch(m, new int[] {1, 5, 7}, new int[] {5, 7, 2});
            BaseModel.Output p = plain.forward(ForwardContext.eval(params, m), b);
            BaseModel.Output s = smoothed.forward(ForwardContext.eval(params, m), b);
            assertEquals(List.of("accuracy"), List.copyOf(p.metrics().keySet()));
            assertEquals(
                    java.util.Set.of("accuracy", "cross_entropy", "z_loss"), s.metrics().keySet());
            float zLoss = s.metrics().get("z_loss").getFloat();
            float crossEntropy = s.metrics().get("cross_entropy").getFloat();
            assertTrue(zLoss > 0, "z-loss " + zLoss);
            assertEquals(crossEntropy + zLoss, s.loss().getFloat(), 1e-6);
            assertTrue(Math.abs(crossEntropy - p.loss().getFloat()) > 1e-4, "smoothing changes it");
        }
    }
}
