package io.axlearn.core.config;

/**
 * Base of objects built from a config: keeps the frozen config they were built from.
 *
 * <p>Subclasses narrow {@link #config()} to their own config type: {@code @Override public Config
 * config() { return (Config) super.config(); }}.
 */
public abstract class Configurable {
    private final ConfigBase<?> config;

    /**
     * @param config the frozen config, as handed to {@link InstantiableConfig#create()}
     * @throws IllegalArgumentException if the config is not frozen (construct through {@code
     *     instantiate()})
     */
    protected Configurable(ConfigBase<?> config) {
        if (!config.isFrozen()) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + " must be built with config.instantiate()");
        }
        this.config = config;
    }

    /** The frozen config this object was built from; safe to share, refuses changes. */
    public ConfigBase<?> config() {
        return config;
    }
}
