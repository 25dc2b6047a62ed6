package io.axlearn.core.config;

/** A value cannot be converted to the declared type of the field at a dotted path. */
public final class ConfigTypeException extends ConfigException {
    private static final long serialVersionUID = 1L;

    ConfigTypeException(String path, String expected, Object value) {
        super(
                path
                        + ": expected "
                        + expected
                        + ", got "
                        + ConfigValues.render(value)
                        + (value == null ? "" : " (" + describe(value) + ")"));
    }

    private static String describe(Object value) {
        if (value instanceof com.fasterxml.jackson.databind.JsonNode node) {
            return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        }
        return value.getClass().getSimpleName();
    }
}
