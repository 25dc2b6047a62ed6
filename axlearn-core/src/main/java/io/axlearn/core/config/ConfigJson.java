package io.axlearn.core.config;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON and YAML for configs, through Jackson.
 *
 * <p>Every config node carries {@code "@type"} with its registered short name (see {@link
 * ConfigTypes}); fields are written by name, in sorted order, nulls included, so that reading the
 * text back gives an equal config. A node whose declared type is concrete may leave out {@code
 * @type}. Reading refuses unknown fields (naming the nearest ones), unregistered type names and
 * values of the wrong type.
 *
 * <pre>{@code
 * String json = ConfigJson.toJson(cfg);
 * MyLayer.Config back = ConfigJson.fromJson(json, MyLayer.Config.class);   // back.equals(cfg)
 * }</pre>
 */
public final class ConfigJson {
    private static final ObjectMapper JSON = configure(JsonMapper.builder());
    private static final ObjectMapper YAML =
            configure(
                    YAMLMapper.builder(
                            YAMLFactory.builder()
                                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                                    .disable(YAMLGenerator.Feature.USE_NATIVE_TYPE_ID)
                                    .disable(YAMLGenerator.Feature.USE_NATIVE_OBJECT_ID)
                                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                                    .build()));

    private ConfigJson() {}

    private static ObjectMapper configure(MapperBuilder<?, ?> builder) {
        return builder.visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
                .enable(MapperFeature.USE_BASE_TYPE_AS_DEFAULT_IMPL)
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    /** The JSON mapper configs are written and read with. */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** Writes a config as indented JSON with {@code @type} names. */
    public static String toJson(ConfigBase<?> config) {
        return write(JSON, config);
    }

    /** Writes a config as YAML with {@code @type} names. */
    public static String toYaml(ConfigBase<?> config) {
        return write(YAML, config);
    }

    /** Reads a config of (a subtype of) {@code type} from JSON. */
    public static <C extends ConfigBase<?>> C fromJson(String json, Class<C> type) {
        return read(JSON, json, type, "JSON");
    }

    /** Reads a config of (a subtype of) {@code type} from YAML. */
    public static <C extends ConfigBase<?>> C fromYaml(String yaml, Class<C> type) {
        return read(YAML, yaml, type, "YAML");
    }

    private static String write(ObjectMapper mapper, ConfigBase<?> config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw unwrap(e, "writing config");
        }
    }

    private static <C> C read(ObjectMapper mapper, String text, Class<C> type, String format) {
        try {
            return mapper.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw unwrap(e, "reading config " + format);
        }
    }

    /**
     * Turns a Jackson failure into one {@link ConfigException} that names the dotted path, and for
     * an unknown field the nearest known ones.
     */
    static ConfigException unwrap(JsonProcessingException e, String action) {
        ConfigException inner = configCause(e);
        if (inner != null) {
            return inner;
        }
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = new ArrayList<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
            }
            String path = jsonPath(u.getPath());
            return new UnknownFieldException(
                    path, "field", Similarity.nearest(u.getPropertyName(), known));
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return new ConfigException(
                    action + ": " + jsonPath(m.getPath()) + ": " + m.getOriginalMessage(), e);
        }
        String location =
                e.getLocation() == null
                        ? ""
                        : " at line "
                                + e.getLocation().getLineNr()
                                + ", column "
                                + e.getLocation().getColumnNr();
        return new ConfigException(action + location + ": " + e.getOriginalMessage(), e);
    }

    /**
     * The first {@link ConfigException} in {@code e}'s cause chain (e.g. from a type id), or null.
     */
    static ConfigException configCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException ce) {
                return ce;
            }
        }
        return null;
    }

    private static String jsonPath(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
