package io.axlearn.text.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.TextGenerator.Sampling;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.text.tokenizers.ByteTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class GenerationTest {
    private static final Sampling GREEDY = Sampling.greedy(12);
    private static final Sampling NUCLEUS = new Sampling(12, 1.3, 0, 0.9, 5);
    private static final Sampling TOP_K = new Sampling(12, 0.8, 3, 1.0, 5);

    private static CausalLm tinyByteModel() {
        return CausalLm.gpt(256, 16, 2, 2, 2.0, 0.0).instantiate();
    }

    @Test
    void cachedGeneration_equalsFullRecomputation_forGreedyAndSampledDecoding() {
        CausalLm model =
                CausalLm.gpt(13, 8, 2, 2, 2.0, 0.0)
                        .positionEncoding(LearnedPositionEmbedding.config().maxPositions(32))
                        .instantiate();
        CausalLm rotary = CausalLm.gpt(13, 8, 2, 2, 2.0, 0.0).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            int[] prompt = {3, 1, 4, 1, 5};
            for (CausalLm lm : List.of(model, rotary)) {
                ParamTree params = lm.initParams(3, m);
                for (Sampling s : List.of(GREEDY, NUCLEUS, TOP_K)) {
                    int[] cached =
                            Generation.generate(
                                    lm, params, m, prompt, s, OptionalInt.empty(), id -> {});
                    int[] full =
                            Generation.generateByRecomputation(
                                    lm, params, m, prompt, s, OptionalInt.empty());
                    assertEquals(12, cached.length);
                    assertArrayEquals(full, cached, s.toString());
                }
            }
        }
    }

    @Test
    void sameSeed_sameText_otherSeed_otherText_andGreedyIgnoresTheSeed() {
        CausalLm model = tinyByteModel();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(1, m);
            Sampling hot = new Sampling(40, 1.5, 0, 1.0, 11);
            String a = model.generate(params, m, "In the beginning", hot, s -> {});
            String b = model.generate(params, m, "In the beginning", hot, s -> {});
            String c =
                    model.generate(
                            params,
                            m,
                            "In the beginning",
                            new Sampling(40, 1.5, 0, 1.0, 12),
                            s -> {});
            assertEquals(a, b);
            assertFalse(a.equals(c), "another seed draws other tokens");
            String g1 = model.generate(params, m, "In", Sampling.greedy(20), s -> {});
            String g2 = model.generate(params, m, "In", new Sampling(20, 0, 0, 1.0, 99), s -> {});
            assertEquals(g1, g2);
        }
    }

    @Test
    void streamedPieces_joinToTheResult_andTopKOneIsGreedy() {
        CausalLm model = tinyByteModel();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(2, m);
            List<String> pieces = new ArrayList<>();
            String text =
                    model.generate(params, m, "abc", new Sampling(30, 1.0, 0, 1, 4), pieces::add);
            assertTrue(pieces.size() > 1, "text arrives piece by piece");
            assertEquals(text, String.join("", pieces));
            String topOne =
                    model.generate(params, m, "abc", new Sampling(30, 2.0, 1, 1, 4), s -> {});
            assertEquals(model.generate(params, m, "abc", Sampling.greedy(30), s -> {}), topOne);
        }
    }

    @Test
    void generationStopsAtTheEndOfSequenceToken() {
        CausalLm model = tinyByteModel();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(2, m);
            int[] greedy =
                    Generation.generate(
                            model,
                            params,
                            m,
                            new int[] {65},
                            Sampling.greedy(30),
                            OptionalInt.empty(),
                            id -> {});
            int eos = greedy[3];
            int[] stopped =
                    Generation.generate(
                            model,
                            params,
                            m,
                            new int[] {65},
                            Sampling.greedy(30),
                            OptionalInt.of(eos),
                            id -> {});
            int first = 0;
            while (greedy[first] != eos) {
                first++;
            }
            assertEquals(first + 1, stopped.length);
            assertEquals(eos, stopped[stopped.length - 1]);
        }
    }

    @Test
    void badSamplingAndTooSmallVocabulary_areClearErrors() {
        assertEquals(
                "topP must be in (0, 1], got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Sampling(5, 1, 0, 0, 1))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sampling(0, 1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(5, -1, 0, 1, 1));
        CausalLm small =
                CausalLm.gpt(13, 8, 1, 2, 2.0, 0.0).tokenizer(ByteTokenizer.config()).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = small.initParams(2, m);
            ConfigException e =
                    assertThrows(
                            ConfigException.class,
                            () -> small.generate(params, m, "x", Sampling.greedy(2), s -> {}));
            assertEquals(
                    "tokenizer has 256 ids, more than the model's vocabSize 13", e.getMessage());
        }
    }
}
