package io.axlearn.text.tokenizers;

import io.axlearn.core.config.InstantiableConfig;
import java.util.OptionalInt;

/**
 * Text to token ids and back. Every tokenizer is built from its config ({@link Config}), so a model
 * config that names its tokenizer is all a run needs to read and write text.
 */
public interface Tokenizer {

    /**
     * Base of tokenizer configs.
     *
     * @param <S> the concrete config type
     */
    abstract class Config<S extends Config<S>> extends InstantiableConfig<S, Tokenizer> {}

    /** Number of ids: every id is in {@code [0, vocabSize)}. */
    int vocabSize();

    /** The ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /**
     * The text of {@code ids}.
     *
     * @throws IllegalArgumentException naming an id outside {@code [0, vocabSize)}
     */
    String decode(int[] ids);

    /** The id that ends a sequence, if this tokenizer has one. */
    OptionalInt eosId();
}
