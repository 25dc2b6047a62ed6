package io.axlearn.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Parses, converts and renders config leaf values. */
public final class ConfigValues {
    private ConfigValues() {}

    /**
     * Parses a value as written on the command line or in a properties file: as JSON when it is
     * valid JSON ({@code 12}, {@code true}, {@code [1,2]}, {@code {"@type":"core/RmsNorm"}}, {@code
     * "quoted"}), else as the plain string.
     */
    public static JsonNode parse(String raw) {
        String text = raw.strip();
        if (!text.isEmpty()) {
            try {
                return ConfigJson.mapper().readTree(text);
            } catch (JsonProcessingException e) {
                // Not JSON: fall through to a plain string.
            }
        }
        return TextNode.valueOf(raw);
    }

    /**
     * Converts {@code value} (a Java object or a {@link JsonNode}) to the declared type of the
     * field at {@code path}.
     *
     * @throws ConfigTypeException naming the path, the expected type and the value
     */
    static Object convert(Object value, Type target, String path) {
        Class<?> raw = rawClass(target);
        if (value == null) {
            if (raw.isPrimitive()) {
                throw new ConfigTypeException(path, typeName(target), null);
            }
            return null;
        }
        if (!(value instanceof JsonNode) && box(raw).isInstance(value) && isSimple(raw)) {
            return value;
        }
        JavaType javaType = ConfigJson.mapper().getTypeFactory().constructType(target);
        try {
            JsonNode node =
                    value instanceof JsonNode n ? n : ConfigJson.mapper().valueToTree(value);
            if (node.isNull() && raw.isPrimitive()) {
                throw new ConfigTypeException(path, typeName(target), null);
            }
            return ConfigJson.mapper().treeToValue(node, javaType);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            ConfigException inner = ConfigJson.configCause(e);
            if (inner != null) {
                throw inner;
            }
            throw new ConfigTypeException(path, typeName(target), value);
        }
    }

    private static boolean isSimple(Class<?> raw) {
        Class<?> b = box(raw);
        return b == String.class
                || Number.class.isAssignableFrom(b)
                || b == Boolean.class
                || b == Character.class
                || b.isEnum();
    }

    /**
     * Whether a field of declared type {@code type} holds a step policy ({@code
     * StepPolicy.EveryNSteps} or {@code FunctionConfig<?, StepPolicy>}), where a whole number N
     * stands for "every N steps".
     */
    static boolean isStepPolicySlot(Type type) {
        Class<?> raw = rawClass(type);
        return raw == StepPolicy.EveryNSteps.class
                || (raw == FunctionConfig.class && typeArgument(type, 1) == StepPolicy.class);
    }

    /** The class of a declared type, ignoring its type arguments. */
    static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    /** The {@code index}-th type argument of a parameterized type, or {@code Object}. */
    static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            Type arg = p.getActualTypeArguments()[index];
            if (arg instanceof java.lang.reflect.WildcardType w) {
                return w.getUpperBounds()[0];
            }
            return arg;
        }
        return Object.class;
    }

    static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        if (c == int.class) {
            return Integer.class;
        } else if (c == long.class) {
            return Long.class;
        } else if (c == double.class) {
            return Double.class;
        } else if (c == float.class) {
            return Float.class;
        } else if (c == boolean.class) {
            return Boolean.class;
        } else if (c == short.class) {
            return Short.class;
        } else if (c == byte.class) {
            return Byte.class;
        }
        return Character.class;
    }

    /** A readable name of a declared type for error messages: {@code int}, {@code list of int}. */
    static String typeName(Type type) {
        Class<?> raw = rawClass(type);
        Class<?> b = box(raw);
        if (b == Integer.class) {
            return "int";
        } else if (b == Long.class) {
            return "long";
        } else if (b == Double.class) {
            return "double";
        } else if (b == Float.class) {
            return "float";
        } else if (b == Boolean.class) {
            return "boolean (true or false)";
        } else if (b == String.class) {
            return "string";
        } else if (raw.isEnum()) {
            return "one of " + Arrays.toString(raw.getEnumConstants());
        } else if (List.class.isAssignableFrom(raw)) {
            return "list of " + typeName(typeArgument(type, 0));
        } else if (Map.class.isAssignableFrom(raw)) {
            return "map of string to " + typeName(typeArgument(type, 1));
        } else if (isStepPolicySlot(type)) {
            return "a number of steps or config "
                    + ConfigSchema.displayName(StepPolicy.EveryNSteps.class)
                    + " (a JSON object)";
        } else if (ConfigBase.class.isAssignableFrom(raw)) {
            return "config " + ConfigSchema.displayName(raw) + " (a JSON object)";
        }
        return raw.getSimpleName();
    }

    /**
     * Renders a leaf value for the flat dump so that the text, given back to {@code --set}, yields
     * the same value: plain words stay bare, strings that would read as JSON are quoted, lists and
     * records are compact JSON.
     */
    public static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof JsonNode node) {
            return node.isTextual() ? renderString(node.asText()) : node.toString();
        }
        if (value instanceof String s) {
            return renderString(s);
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        try {
            return ConfigJson.mapper()
                    .writer()
                    .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    private static String renderString(String s) {
        boolean plain =
                !s.isEmpty()
                        && s.strip().equals(s)
                        && parse(s).isTextual()
                        && s.chars().noneMatch(c -> c == '\n' || c == '"');
        return plain ? s : TextNode.valueOf(s).toString();
    }
}
