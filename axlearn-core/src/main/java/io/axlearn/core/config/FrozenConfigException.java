package io.axlearn.core.config;

/**
 * A frozen config was changed. Configs freeze at {@code instantiate()}; to derive a new one, call
 * {@link ConfigBase#copy()} and edit the copy.
 */
public final class FrozenConfigException extends ConfigException {
    private static final long serialVersionUID = 1L;

    FrozenConfigException(String path, Class<?> configClass) {
        super(
                "config "
                        + (path.isEmpty() ? "(root)" : path)
                        + " ("
                        + ConfigSchema.displayName(configClass)
                        + ") is frozen; edit a copy() instead");
    }
}
