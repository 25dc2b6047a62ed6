package io.axlearn.core.config;

/**
 * A config that builds an object: the root type of every component's nested {@code Config}.
 *
 * <p>{@link #instantiate()} deep-copies this config, freezes the copy, checks its {@link Required}
 * fields and {@link #validate()} rules, and passes the frozen copy to {@link #create()}, which
 * calls the component's private constructor. The caller's config stays mutable and unchanged; the
 * component keeps the frozen copy as its single source of truth.
 *
 * <pre>{@code
 * public final class Linear extends BaseLayer {
 *   public static final class Config extends BaseLayer.Config<Config, Linear> {
 *     @Required private Integer inputDim;
 *     ...
 *     @Override protected Linear create() { return new Linear(this); }
 *   }
 *   public static Config config() { return new Config(); }
 *   private Linear(Config cfg) { super(cfg); ... }
 * }
 * Linear layer = Linear.config().inputDim(512).outputDim(256).instantiate();
 * }</pre>
 *
 * @param <S> the concrete config type
 * @param <T> the type of object built
 */
public abstract class InstantiableConfig<S extends InstantiableConfig<S, T>, T>
        extends ConfigBase<S> {

    /** Builds the object from a frozen copy of this config; the config path is empty. */
    public final T instantiate() {
        return instantiateAt("");
    }

    /**
     * Builds the object from a frozen copy of this config that sits at {@code path} in a larger
     * tree, so that errors name the full dotted path ({@code model.decoder.hiddenDim is required}).
     * Owners of child configs (layers, the trainer) call this with the child's path.
     *
     * @throws MissingRequiredException naming every unset required field
     * @throws ConfigException if {@link #validate()} rejects a value
     */
    public final T instantiateAt(String path) {
        S frozen = copy();
        frozen.freeze(path);
        frozen.checkRequired();
        frozen.validate();
        return frozen.create();
    }

    /**
     * Checks rules that span fields or values ({@code numHeads} divides {@code modelDim}); called
     * on the frozen copy before {@link #create()}. Throw {@link #invalid(String, String)}.
     */
    protected void validate() {}

    /** Builds the object from this frozen, validated config (usually {@code new T(this)}). */
    protected abstract T create();
}
