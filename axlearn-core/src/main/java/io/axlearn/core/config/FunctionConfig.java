package io.axlearn.core.config;

/**
 * A config that builds a function or value rather than a component: a learning-rate schedule, an
 * initialiser, a checkpoint policy (axlearn's {@code config_for_function}).
 *
 * <p>Its fields are the function's parameters; {@link #instantiate()} returns the function with
 * those parameters bound. Like every config it prints, serialises and takes dotted overrides, so
 * {@code --set learner.schedule.peak=3e-4} works the same as for a layer.
 *
 * <pre>{@code
 * public static final class EveryNSteps extends FunctionConfig<EveryNSteps, StepPolicy> {
 *   @Required private Long n;
 *   public EveryNSteps n(long v) { return set(() -> n = v); }
 *   @Override protected StepPolicy create() { long every = n; return step -> step % every == 0; }
 * }
 * }</pre>
 *
 * @param <S> the concrete config type
 * @param <F> the type of the function or value built
 */
public abstract class FunctionConfig<S extends FunctionConfig<S, F>, F>
        extends InstantiableConfig<S, F> {}
