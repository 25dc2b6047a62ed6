package io.axlearn.core.config;

/**
 * Base of objects built from a config: keeps the frozen config they were built from.
 *
 * <p>Subclasses narrow {@link #getConfig()} to their own config type: {@code @Override public
 * Config getConfig() { return (Config) super.getConfig(); }}. (The name leaves {@code config()}
 * free for the static factory of a fresh config, {@code Linear.config()}.)
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
    public ConfigBase<?> getConfig() {
        return config;
    }
}
