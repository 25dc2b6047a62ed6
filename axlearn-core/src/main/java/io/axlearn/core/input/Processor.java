package io.axlearn.core.input;

import io.axlearn.core.config.FunctionConfig;

/**
 * Maps one example to another (tokenise, mask, add fields); runs after the source.
 *
 * <p>A random processor (augmentation, masking) draws from {@link #apply(Example, long)}'s {@code
 * draw}: a number the input gives each example it reads, different every time (so the same image
 * gets a new crop every epoch), the same for the same seed and position of the input (so a resumed
 * run draws what the uninterrupted one did), and different on every host.
 */
@FunctionalInterface
public interface Processor {

    /** The processed example; must not modify {@code example}. */
    Example apply(Example example);

    /**
     * The processed example for the input's {@code draw}-th read; a deterministic processor ignores
     * {@code draw} (the default).
     *
     * @param example the example, not modified
     * @param draw the input's number for this read: unique within a run, equal across resumes
     */
    default Example apply(Example example, long draw) {
        return apply(example);
    }

    /**
     * Base of processor configs.
     *
     * @param <S> the concrete config type
     */
    abstract class Config<S extends Config<S>> extends FunctionConfig<S, Processor> {}
}
