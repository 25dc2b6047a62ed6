package io.axlearn.text.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.Processor;
import io.axlearn.core.module.Seeds;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * BERT's masked-LM corruption (<a href="https://arxiv.org/abs/1810.04805">Devlin et al. 2019</a>
 * §3.1, as in Google's {@code create_pretraining_data.py}): of the non-special tokens of {@code
 * inputs}, {@code round(selectRate * n)} (at least one) are selected for prediction; each selected
 * token becomes {@code [MASK]} with probability {@code maskRate}, a uniformly random id with
 * probability {@code randomRate}, and stays unchanged otherwise (80/10/10 by default).
 *
 * <p>With {@code wholeWord}, a word's pieces ({@code ##} continuations with the piece before them)
 * are selected together: words are drawn in random order and added while they fit the count
 * (Google's whole-word masking). Special tokens ({@code [CLS]}, {@code [SEP]}, padding, {@code
 * [MASK]}) are never selected.
 *
 * <p>Reads {@code inputs} ({@code int[T]}); writes {@code inputs} (corrupted), {@code targets} (the
 * original ids) and {@code target_weights} ({@code float[T]}, 1 on the selected positions), the
 * features of {@code text.bert.BertMlm}. Randomness comes from {@code seed} and the input's draw
 * number ({@link Processor#apply(Example, long)}), so a run's masks are deterministic, new every
 * epoch and the same after a resume; without a draw number they come from the ids themselves.
 */
public final class MlmMasking extends Processor.Config<MlmMasking> {
    /** Feature read (original ids) and written (corrupted ids). */
    public static final String INPUTS = "inputs";

    /** Feature written: the original ids. */
    public static final String TARGETS = "targets";

    /** Feature written: 1 where a token was selected for prediction, else 0. */
    public static final String TARGET_WEIGHTS = "target_weights";

    /** The tokenizer of the ids: its special ids, mask token, vocabulary size and word pieces. */
    private Tokenizer.Config<?> tokenizer = WordPieceTokenizer.bertBaseUncased();

    /** Fraction of the non-special tokens selected for prediction, in (0, 1). */
    private double selectRate = 0.15;

    /** Probability that a selected token becomes the mask token. */
    private double maskRate = 0.8;

    /** Probability that a selected token becomes a uniformly random id; the rest stay. */
    private double randomRate = 0.1;

    /** The vocabulary entry that masks a token. */
    private String maskToken = "[MASK]";

    /** Whether a word's pieces are selected together (needs a WordPiece tokenizer). */
    private boolean wholeWord = false;

    /** Prefix of word-piece continuations (WordPiece: {@code ##}); used with {@code wholeWord}. */
    private String continuationPrefix = "##";

    /** Seed of the masks. */
    private long seed = 0;

    /** Sets the tokenizer (copied). */
    public MlmMasking tokenizer(Tokenizer.Config<?> v) {
        return set(() -> tokenizer = v.copy());
    }

    /** Sets the selected fraction. */
    public MlmMasking selectRate(double v) {
        return set(() -> selectRate = v);
    }

    /** Sets the probability of {@code [MASK]} for a selected token. */
    public MlmMasking maskRate(double v) {
        return set(() -> maskRate = v);
    }

    /** Sets the probability of a random id for a selected token. */
    public MlmMasking randomRate(double v) {
        return set(() -> randomRate = v);
    }

    /** Sets the mask token. */
    public MlmMasking maskToken(String v) {
        return set(() -> maskToken = v);
    }

    /** Sets whole-word masking. */
    public MlmMasking wholeWord(boolean v) {
        return set(() -> wholeWord = v);
    }

    /** Sets the continuation prefix. */
    public MlmMasking continuationPrefix(String v) {
        return set(() -> continuationPrefix = v);
    }

    /** Sets the seed. */
    public MlmMasking seed(long v) {
        return set(() -> seed = v);
    }

    @Override
    protected void validate() {
        if (!(selectRate > 0 && selectRate < 1)) {
            throw invalid("selectRate", "must be in (0, 1), got " + selectRate);
        }
        if (!(maskRate >= 0 && randomRate >= 0 && maskRate + randomRate <= 1)) {
            throw invalid(
                    "maskRate",
                    "and randomRate must be >= 0 with a sum <= 1, got "
                            + maskRate
                            + " and "
                            + randomRate);
        }
    }

    @Override
    protected Processor create() {
        String tokenizerPath = ConfigPath.child(path(), "tokenizer");
        Tokenizer tok = tokenizer.instantiateAt(tokenizerPath);
        int vocab = tok.vocabSize();
        int maskId =
                tok.tokenId(maskToken)
                        .orElseThrow(
                                () ->
                                        new ConfigException(
                                                ConfigPath.child(path(), "maskToken")
                                                        + " is "
                                                        + maskToken
                                                        + ", which the vocabulary of "
                                                        + tokenizerPath
                                                        + " does not have"));
        boolean[] special = new boolean[vocab];
        special[maskId] = true;
        special[tok.padId()] = true;
        for (int id : tok.specialPrefix()) {
            special[id] = true;
        }
        for (int id : tok.specialSuffix()) {
            special[id] = true;
        }
        boolean[] continuation = new boolean[vocab];
        if (wholeWord) {
            if (!(tok instanceof WordPieceTokenizer wp)) {
                throw new ConfigException(
                        ConfigPath.child(path(), "wholeWord")
                                + " needs a WordPiece tokenizer to find words, but "
                                + tokenizerPath
                                + " is "
                                + tokenizer.typeName());
            }
            for (int id = 0; id < vocab; id++) {
                String t = wp.token(id);
                continuation[id] =
                        t.startsWith(continuationPrefix)
                                && t.length() > continuationPrefix.length();
            }
        }
        return new Masker(
                seed, selectRate, maskRate, randomRate, maskId, vocab, special, continuation);
    }

    /** The processor: holds only the frozen tables, no state between examples. */
    private record Masker(
            long seed,
            double selectRate,
            double maskRate,
            double randomRate,
            int maskId,
            int vocab,
            boolean[] special,
            boolean[] continuation)
            implements Processor {

        @Override
        public Example apply(Example e) {
            int[] ids = e.ints(INPUTS);
            return mask(e, ids, Seeds.derive(seed, "ids:" + Arrays.hashCode(ids)));
        }

        @Override
        public Example apply(Example e, long draw) {
            return mask(e, e.ints(INPUTS), Seeds.derive(seed, Long.toString(draw)));
        }

        private Example mask(Example e, int[] ids, long random) {
            SplittableRandom r = new SplittableRandom(random);
            // Candidate groups: single tokens, or whole words (a piece and its continuations).
            List<int[]> groups = new ArrayList<>();
            int candidates = 0;
            int start = -1;
            for (int i = 0; i <= ids.length; i++) {
                boolean candidate = i < ids.length && !special[ids[i]];
                boolean continues = candidate && start >= 0 && continuation[ids[i]];
                if (start >= 0 && !continues) {
                    groups.add(new int[] {start, i});
                    start = -1;
                }
                if (candidate) {
                    candidates++;
                    if (start < 0) {
                        start = i;
                    }
                }
            }
            float[] weights = new float[ids.length];
            int[] corrupted = ids.clone();
            if (candidates > 0) {
                int target = Math.max(1, (int) Math.round(candidates * selectRate));
                for (int i = groups.size() - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int[] g = groups.get(i);
                    groups.set(i, groups.get(j));
                    groups.set(j, g);
                }
                int covered = 0;
                for (int[] g : groups) {
                    if (covered == target) {
                        break;
                    }
                    if (covered + g[1] - g[0] > target) {
                        continue;
                    }
                    for (int i = g[0]; i < g[1]; i++) {
                        weights[i] = 1;
                        double u = r.nextDouble();
                        if (u < maskRate) {
                            corrupted[i] = maskId;
                        } else if (u < maskRate + randomRate) {
                            corrupted[i] = r.nextInt(vocab);
                        }
                    }
                    covered += g[1] - g[0];
                }
            }
            return e.with(INPUTS, corrupted).with(TARGETS, ids).with(TARGET_WEIGHTS, weights);
        }
    }
}
