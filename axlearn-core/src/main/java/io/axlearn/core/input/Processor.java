package io.axlearn.core.input;

import io.axlearn.core.config.FunctionConfig;

/** Maps one example to another (tokenise, mask, add fields); runs after the source. */
@FunctionalInterface
public interface Processor {

    /** The processed example; must not modify {@code example}. */
    Example apply(Example example);

    /**
     * Base of processor configs.
     *
     * @param <S> the concrete config type
     */
    abstract class Config<S extends Config<S>> extends FunctionConfig<S, Processor> {}
}
