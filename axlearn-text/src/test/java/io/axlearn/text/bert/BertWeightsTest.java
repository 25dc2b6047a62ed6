package io.axlearn.text.bert;

import static io.axlearn.core.testing.WeightMapChecks.assertCloseToScale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.core.testing.WeightMapChecks;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The Hugging Face BERT name map against tools/golden/interop_bert.py. */
class BertWeightsTest {
    private static final String DIR = "/golden/BertWeightsTest/";

    private static Map<String, NDArray> hfStateDict(NDManager m) {
        return WeightMapChecks.stateDict(BertWeightsTest.class, "hf_bert", m);
    }

    private static TorchGolden expected(NDManager m) {
        return TorchGolden.load(BertWeightsTest.class, "hf_bert_expected", m);
    }

    private static BertEncoder.Config encoder(TorchGolden g) {
        return BertEncoder.bert(
                        g.intMeta("vocab"),
                        g.intMeta("dim"),
                        g.intMeta("layers"),
                        g.intMeta("heads"),
                        g.intMeta("ffn"),
                        0.0)
                .positionEmbedding(
                        LearnedPositionEmbedding.config().maxPositions(g.intMeta("max_pos")));
    }

    @Test
    void hfNames_loadIntoMlmAndClassifier_andMatchTorch() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> hf = hfStateDict(m);
            TorchGolden g = expected(m);
            WeightMap map = WeightFamily.named("bert").forForeign(hf.keySet());
            NDArray ids = g.input("ids");
            NDArray types = g.input("type_ids");
            NDArray mask = g.input("mask");

            BertMlm mlm = BertMlm.of(encoder(g)).instantiate();
            WeightMap.Converted forMlm =
                    map.toOurs(hf, WeightMap.Selection.all().withSpecs(mlm.paramSpecs()));
            assertEquals(mlm.paramSpecs().keySet(), forMlm.tensors().keySet());
            ForwardContext ctx = ForwardContext.eval(ParamTree.of(forMlm.tensors()), m);
            NDArray hidden = mlm.hidden(ctx, ids, types, mask);
            assertCloseToScale(g.output("hidden"), hidden, 1e-5, "hidden");
            assertCloseToScale(g.output("mlm_logits"), mlm.logits(ctx, hidden), 1e-5, "mlm logits");

            BertClassifier classifier =
                    BertClassifier.of(encoder(g), g.intMeta("classes")).instantiate();
            SortedMap<String, NDArray> forClassifier =
                    map.toOurs(hf, WeightMap.Selection.all().withSpecs(classifier.paramSpecs()))
                            .tensors();
            NDArray logits =
                    classifier.logits(
                            ForwardContext.eval(ParamTree.of(forClassifier), m), ids, types, mask);
            assertCloseToScale(g.output("class_logits"), logits, 1e-5, "class logits");
        }
    }

    @Test
    void roundTrip_givesBackTheSameBytesAndNames() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> hf = hfStateDict(m);
            WeightMap map = new BertWeights().forForeign(hf.keySet());
            SortedMap<String, NDArray> ours =
                    WeightMapChecks.assertExactRoundTrip(
                            map, hf, Set.of("bert.embeddings.position_ids"));
            // Export from our names alone (as `axlearn convert --from axlearn` does) writes the
            // same names, the tied decoder left out.
            SortedMap<String, NDArray> exported =
                    new BertWeights()
                            .forOurs(ours.keySet())
                            .toForeign(ours, WeightMap.Selection.all())
                            .tensors();
            SortedMap<String, NDArray> expected = new TreeMap<>(hf);
            expected.keySet()
                    .removeAll(
                            Set.of(
                                    "bert.embeddings.position_ids",
                                    "cls.predictions.decoder.weight",
                                    "cls.predictions.decoder.bias"));
            WeightMapChecks.assertSameTensors(expected, exported, "export from our names");
        }
    }

    @Test
    void missingMisShapedAndUnknownTensors_areNamedInOneLine() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> hf = new TreeMap<>(hfStateDict(m));
            TorchGolden g = expected(m);
            BertMlm mlm = BertMlm.of(encoder(g)).instantiate();
            WeightMap map = new BertWeights().forForeign(hf.keySet());
            WeightMap.Selection strict = WeightMap.Selection.all().withSpecs(mlm.paramSpecs());

            Map<String, NDArray> missing = new TreeMap<>(hf);
            missing.remove("bert.encoder.layer.1.attention.self.key.weight");
            ConfigException e1 =
                    assertThrows(ConfigException.class, () -> map.toOurs(missing, strict));
            assertEquals(
                    "bert: missing tensor bert.encoder.layer.1.attention.self.key.weight"
                            + " (16, 16) (load part of the model with an explicit selection)",
                    e1.getMessage());

            Map<String, NDArray> misShaped = new TreeMap<>(hf);
            misShaped.put("bert.pooler.dense.bias", m.zeros(new ai.djl.ndarray.types.Shape(15)));
            BertClassifier classifier =
                    BertClassifier.of(encoder(g), g.intMeta("classes")).instantiate();
            ConfigException e2 =
                    assertThrows(
                            ConfigException.class,
                            () ->
                                    map.toOurs(
                                            misShaped,
                                            WeightMap.Selection.all()
                                                    .withSpecs(classifier.paramSpecs())));
            assertEquals(
                    "bert: tensor bert.pooler.dense.bias is (15), expected (16) (for"
                            + " pooler/dense/bias)",
                    e2.getMessage());

            Map<String, NDArray> unknown = new TreeMap<>(hf);
            unknown.put(
                    "bert.encoder.layer.0.extra.weight",
                    m.zeros(new ai.djl.ndarray.types.Shape(2)));
            ConfigException e3 =
                    assertThrows(ConfigException.class, () -> map.toOurs(unknown, strict));
            assertEquals(
                    "bert: unknown tensor bert.encoder.layer.0.extra.weight (2) (not a bert name)",
                    e3.getMessage());
        }
    }

    @Test
    void backboneOnly_isAnExplicitPartialLoad() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> hf = hfStateDict(m);
            TorchGolden g = expected(m);
            BertClassifier classifier = BertClassifier.of(encoder(g), 2).instantiate();
            WeightMap map = new BertWeights().forForeign(hf.keySet());
            // The golden's classifier has 3 classes; this one 2: without a selection it fails.
            ConfigException e =
                    assertThrows(
                            ConfigException.class,
                            () ->
                                    map.toOurs(
                                            hf,
                                            WeightMap.Selection.all()
                                                    .withSpecs(classifier.paramSpecs())));
            assertTrue(e.getMessage().contains("classifier.weight"), e.getMessage());
            WeightMap.Converted backbone =
                    map.toOurs(
                            hf,
                            WeightMap.Selection.all()
                                    .withSpecs(classifier.paramSpecs())
                                    .only("bert/.*"));
            assertTrue(backbone.tensors().keySet().stream().allMatch(p -> p.startsWith("bert/")));
            assertEquals(
                    classifier.paramSpecs().keySet().stream()
                            .filter(p -> p.startsWith("bert/"))
                            .count(),
                    backbone.tensors().size());
            assertTrue(
                    backbone.skipped().contains("classifier.weight"),
                    backbone.skipped().toString());
        }
    }
}
