package io.axlearn.core.config;

import java.util.List;

/** One or more {@link Required} fields were still unset at {@code instantiate()}. */
public final class MissingRequiredException extends ConfigException {
    private static final long serialVersionUID = 1L;

    /**
     * One unset required field.
     *
     * @param path its full dotted path
     * @param owner the config class that declares it
     */
    record Missing(String path, Class<?> owner) {}

    private final List<String> paths;

    MissingRequiredException(List<Missing> missing, Class<?> configClass) {
        super(message(missing, configClass));
        this.paths = missing.stream().map(Missing::path).sorted().toList();
    }

    private static String message(List<Missing> missing, Class<?> configClass) {
        if (missing.size() == 1) {
            Missing m = missing.get(0);
            return m.path() + " is required (" + ConfigSchema.displayName(m.owner()) + ")";
        }
        List<String> paths = missing.stream().map(Missing::path).sorted().toList();
        return "required fields are not set: "
                + String.join(", ", paths)
                + " ("
                + ConfigSchema.displayName(configClass)
                + ")";
    }

    /** Every missing dotted path, sorted. */
    public List<String> paths() {
        return paths;
    }
}
