package io.axlearn.core.module;

import ai.djl.ndarray.NDManager;
import java.util.function.Consumer;

/**
 * A model that continues a text prompt token by token (a causal language model). It is the seam
 * through which the command line ({@code axlearn generate}) generates from a run without knowing
 * the module the model comes from: the model's own config names its tokenizer.
 */
public interface TextGenerator {

    /**
     * How the next token is chosen.
     *
     * @param maxTokens the most tokens to generate (positive)
     * @param temperature divides the logits; {@code 0} picks the arg-max (greedy decoding)
     * @param topK keep only the {@code topK} most likely tokens; {@code 0} keeps all
     * @param topP keep the smallest set of most likely tokens whose probability reaches {@code
     *     topP} (nucleus sampling, <a href="https://arxiv.org/abs/1904.09751">Holtzman et al.
     *     2019</a>); {@code 1} keeps all
     * @param seed the seed of the draws: the same seed, prompt and weights give the same text
     */
    record Sampling(int maxTokens, double temperature, int topK, double topP, long seed) {
        /**
         * @throws IllegalArgumentException naming the field that is out of range
         */
        public Sampling {
            if (maxTokens <= 0) {
                throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
            }
            if (!(temperature >= 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException(
                        "temperature must be finite and >= 0, got " + temperature);
            }
            if (topK < 0) {
                throw new IllegalArgumentException("topK must be >= 0, got " + topK);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
            }
        }

        /** Greedy decoding of up to {@code maxTokens} tokens. */
        public static Sampling greedy(int maxTokens) {
            return new Sampling(maxTokens, 0, 0, 1, 0);
        }
    }

    /**
     * Generates a continuation of {@code prompt}, stopping at the end-of-sequence token or after
     * {@code sampling.maxTokens()} tokens.
     *
     * @param params the model's parameters
     * @param manager where the generation's arrays live (freed before returning)
     * @param prompt the text to continue
     * @param sampling how tokens are chosen
     * @param onText receives the decoded text piece by piece as tokens come (a piece is held back
     *     while it ends in an incomplete character)
     * @return the generated text, without the prompt
     */
    String generate(
            ParamTree params,
            NDManager manager,
            String prompt,
            Sampling sampling,
            Consumer<String> onText);

    /**
     * The number of tokens {@code text} encodes to with the model's tokenizer (what a server
     * reports as prompt and completion usage, and counts against {@code maxTokens}).
     */
    int countTokens(String text);
}
