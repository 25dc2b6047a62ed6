package io.axlearn.core.input;

import io.axlearn.core.config.FunctionConfig;

/**
 * A finite, random-access sequence of examples: the first stage of an {@link Input}. Random access
 * is what makes the pipeline resumable exactly: its position is a few integers, not the contents of
 * a stream.
 */
public interface ExampleSource {

    /** Number of examples. */
    long size();

    /**
     * Example {@code index}, in {@code [0, size())}; the same index always gives the same example.
     */
    Example get(long index);

    /**
     * Base of source configs.
     *
     * @param <S> the concrete config type
     */
    abstract class Config<S extends Config<S>> extends FunctionConfig<S, ExampleSource> {}
}
