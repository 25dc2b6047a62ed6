package io.axlearn.text.lm;

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
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Hugging Face GPT-2 and Llama name maps against tools/golden/interop_lm.py. */
class LmWeightsTest {
    private static Map<String, NDArray> stateDict(String name, NDManager m) {
        return WeightMapChecks.stateDict(LmWeightsTest.class, name, m);
    }

    /** Imports {@code name}'s state dict into {@code cfg}'s model and checks torch's logits. */
    private static void assertLogitsMatch(
            String name, String family, CausalLm.Config cfg, TorchGolden g, NDManager m)
            throws Exception {
        Map<String, NDArray> hf = stateDict(name, m);
        CausalLm model = cfg.instantiate();
        SortedMap<String, NDArray> params =
                WeightFamily.named(family)
                        .forForeign(hf.keySet())
                        .toOurs(hf, WeightMap.Selection.all().withSpecs(model.paramSpecs()))
                        .tensors();
        assertEquals(model.paramSpecs().keySet(), params.keySet());
        NDArray logits = model.logits(ForwardContext.eval(ParamTree.of(params), m), g.input("ids"));
        assertCloseToScale(g.output("logits"), logits, 1e-5, name + " logits");
    }

    @Test
    void gpt2_hfNames_matchTorchLogits() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(LmWeightsTest.class, "gpt2_expected", m);
            CausalLm.Config cfg =
                    Gpt2Weights.config(
                            g.intMeta("vocab"),
                            g.intMeta("dim"),
                            g.intMeta("layers"),
                            g.intMeta("heads"),
                            g.intMeta("max_pos"),
                            0.0);
            assertLogitsMatch("gpt2", "gpt2", cfg, g, m);
        }
    }

    @Test
    void llama_hfNames_withGroupedQueryAttention_matchTorchLogits() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(LmWeightsTest.class, "llama_expected", m);
            CausalLm.Config cfg =
                    LlamaWeights.config(
                            g.intMeta("vocab"),
                            g.intMeta("dim"),
                            g.intMeta("layers"),
                            g.intMeta("heads"),
                            g.intMeta("kv_heads"),
                            g.intMeta("llama_ffn"),
                            Double.parseDouble(g.meta("theta")),
                            Double.parseDouble(g.meta("rms_eps")));
            assertLogitsMatch("llama", "llama", cfg, g, m);
        }
    }

    @Test
    void roundTrips_giveBackTheSameBytesAndNames() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> gpt2 = stateDict("gpt2", m);
            Set<String> masks =
                    gpt2.keySet().stream()
                            .filter(
                                    k ->
                                            k.endsWith(".attn.bias")
                                                    || k.endsWith(".attn.masked_bias"))
                            .collect(Collectors.toSet());
            assertEquals(4, masks.size());
            WeightMapChecks.assertExactRoundTrip(
                    new Gpt2Weights().forForeign(gpt2.keySet()), gpt2, masks);

            Map<String, NDArray> llama = stateDict("llama", m);
            Set<String> freqs =
                    llama.keySet().stream()
                            .filter(k -> k.endsWith("inv_freq"))
                            .collect(Collectors.toSet());
            SortedMap<String, NDArray> ours =
                    WeightMapChecks.assertExactRoundTrip(
                            new LlamaWeights().forForeign(llama.keySet()), llama, freqs);
            SortedMap<String, NDArray> exported =
                    new LlamaWeights()
                            .forOurs(ours.keySet())
                            .toForeign(ours, WeightMap.Selection.all())
                            .tensors();
            Map<String, NDArray> expected = new TreeMap<>(llama);
            expected.keySet().removeAll(freqs);
            WeightMapChecks.assertSameTensors(expected, exported, "llama export from our names");
        }
    }

    @Test
    void untiedGpt2Head_isRefusedInOneLine() throws Exception {
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> gpt2 = new TreeMap<>(stateDict("gpt2", m));
            gpt2.put("lm_head.weight", gpt2.get("lm_head.weight").add(1f));
            WeightMap map = new Gpt2Weights().forForeign(gpt2.keySet());
            ConfigException e =
                    assertThrows(
                            ConfigException.class,
                            () -> map.toOurs(gpt2, WeightMap.Selection.all()));
            assertEquals(
                    "gpt2: tensor lm_head.weight is tied to embedding/weight in this model, but"
                            + " the file's values differ (an untied model needs a head of its own)",
                    e.getMessage());
        }
    }
}
