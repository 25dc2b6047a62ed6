package io.axlearn.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.configuration2.AbstractConfiguration;
import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.FileBasedConfiguration;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * Layered overrides of a config: the config's own defaults, then a config file (YAML or Java
 * properties), then {@code --set path=value} arguments, each layer winning over the one before.
 *
 * <p>Layers are read with Apache Commons Configuration. Keys are dotted config paths ({@code
 * learner.optimizer.peakLr}, {@code evalers[validation].everyNSteps}, {@code model.norm.@type}); in
 * YAML, nesting spells the same paths. Values from {@code --set} and properties files are parsed as
 * JSON when they are valid JSON, else taken as plain strings; YAML values keep their YAML types.
 * Values are taken literally: Commons Configuration's interpolation is off, so {@code ${env:HOME}}
 * or {@code ${file:UTF-8:/etc/passwd}} stays that text and never reads the environment or a file.
 * Within a layer, {@code @type} keys apply first (shallowest first), so a file can swap a child and
 * then set the new child's fields. Every key is checked against the config; an unknown one fails
 * before anything runs, naming the file and line or the {@code --set} argument.
 *
 * <pre>{@code
 * var overrides = ConfigOverrides.builder()
 *     .file(Path.of("tiny.yaml"))
 *     .set("maxStep=1000").set("model.decoder.numLayers=2")
 *     .build();
 * overrides.applyTo(trainerConfig);
 * }</pre>
 */
public final class ConfigOverrides {
    private static final YAMLFactory YAML_FACTORY = new YAMLFactory();

    /**
     * The key of a properties line (not a comment): up to the first {@code =}, {@code :} or blank.
     */
    private static final Pattern PROPERTIES_KEY =
            Pattern.compile("^\\s*([^#!\\s=:][^\\s=:]*)(?:[=:\\s]|$)");

    private static final Pattern ASSIGNMENT =
            Pattern.compile("^\\s*([^=\\s][^=]*?)\\s*=(.*)$", Pattern.DOTALL);

    /**
     * One override as it will be applied.
     *
     * @param path dotted config path
     * @param value the value, as parsed
     * @param source where it came from, for error messages: {@code --set a=1} or {@code config file
     *     f.yaml, line 3}
     */
    public record Override(String path, JsonNode value, String source) {}

    private final List<Override> overrides;

    private ConfigOverrides(List<Override> overrides) {
        this.overrides = List.copyOf(overrides);
    }

    /** Starts an empty set of layers. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every override in the order it is applied. */
    public List<Override> overrides() {
        return overrides;
    }

    /**
     * Applies every override to {@code config} in order and returns it.
     *
     * @throws ConfigException naming the source (file and line, or the {@code --set} argument), the
     *     path and the problem, at the first override that does not fit
     */
    public <C extends ConfigBase<?>> C applyTo(C config) {
        for (Override o : overrides) {
            try {
                config.set(o.path(), o.value());
            } catch (ConfigException e) {
                throw e.withContext(o.source());
            }
        }
        return config;
    }

    /** Collects the layers of overrides, lowest precedence first. */
    public static final class Builder {
        private final List<Override> fileOverrides = new ArrayList<>();
        private final BaseConfiguration commandLine = literal(new BaseConfiguration());

        private Builder() {}

        /**
         * Adds a config file layer: {@code .yaml}/{@code .yml}/{@code .json} (read as YAML) or
         * {@code .properties}.
         *
         * @throws ConfigException if the file is missing, unreadable, malformed or of an unknown
         *     kind
         */
        public Builder file(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            boolean yaml =
                    name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
            if (!yaml && !name.endsWith(".properties")) {
                throw new ConfigException(
                        "config file "
                                + file
                                + ": unknown kind; use .yaml, .yml, .json or .properties");
            }
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file " + file + " does not exist");
            }
            FileBasedConfiguration layer =
                    literal(yaml ? new YAMLConfiguration() : new PropertiesConfiguration());
            String text;
            try (Reader reader = Files.newBufferedReader(file)) {
                layer.read(reader);
                text = Files.readString(file);
            } catch (ConfigurationException | IOException | RuntimeException e) {
                throw new ConfigException("config file " + file + ": " + rootMessage(e), e);
            }
            Map<String, Integer> keyLines = yaml ? yamlKeyLines(text) : propertiesKeyLines(text);
            for (Iterator<String> keys = layer.getKeys(); keys.hasNext(); ) {
                String stored = keys.next();
                Object raw = layer.getProperty(stored);
                // A dot inside one YAML key ("heads[cls].label: x") is stored escaped as "..".
                String key = yaml ? stored.replace("..", ".") : stored;
                JsonNode value = yaml ? yamlValue(raw) : propertiesValue(raw);
                Integer line = keyLines.get(key);
                String source =
                        "config file "
                                + file
                                + (line == null ? "" : ", line " + line)
                                + " ("
                                + key
                                + ")";
                fileOverrides.add(new Override(key, value, source));
            }
            return this;
        }

        /**
         * Adds one {@code path=value} command-line override; a later one for the same path wins.
         *
         * @throws ConfigException if the argument has no {@code =} or an empty path
         */
        public Builder set(String assignment) {
            var m = ASSIGNMENT.matcher(assignment);
            if (!m.matches()) {
                throw new ConfigException(
                        "--set " + assignment + ": expected path=value, e.g. --set maxStep=100");
            }
            commandLine.setProperty(m.group(1), m.group(2));
            return this;
        }

        /** Adds several {@code path=value} overrides in order. */
        public Builder set(Collection<String> assignments) {
            assignments.forEach(this::set);
            return this;
        }

        /** The layers, flattened into the order in which they apply. */
        public ConfigOverrides build() {
            List<Override> cli = new ArrayList<>();
            for (Iterator<String> keys = commandLine.getKeys(); keys.hasNext(); ) {
                String key = keys.next();
                String raw = (String) commandLine.getProperty(key);
                cli.add(new Override(key, ConfigValues.parse(raw), "--set " + key + "=" + raw));
            }
            List<Override> all = new ArrayList<>(typesFirst(fileOverrides));
            all.addAll(typesFirst(cli));
            return new ConfigOverrides(all);
        }

        private static List<Override> typesFirst(List<Override> layer) {
            List<Override> types = new ArrayList<>();
            List<Override> rest = new ArrayList<>();
            for (Override o : layer) {
                (o.path().endsWith(ConfigPath.TYPE_FIELD) ? types : rest).add(o);
            }
            types.sort(Comparator.comparingInt(o -> o.path().split("\\.").length));
            types.addAll(rest);
            return types;
        }
    }

    private static JsonNode propertiesValue(Object raw) {
        if (raw instanceof Collection<?> c) {
            // A key repeated in a properties file: the last one wins, as in java.util.Properties.
            Object last = null;
            for (Object x : c) {
                last = x;
            }
            return propertiesValue(last);
        }
        return raw == null ? NullNode.getInstance() : ConfigValues.parse(raw.toString());
    }

    private static JsonNode yamlValue(Object raw) {
        if (raw == null) {
            return NullNode.getInstance();
        }
        if (raw instanceof Collection<?> c) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            c.forEach(x -> array.add(yamlValue(x)));
            return array;
        }
        if (raw instanceof Map<?, ?> m) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            m.forEach((k, v) -> object.set(String.valueOf(k), yamlValue(v)));
            return object;
        }
        if (raw instanceof String s) {
            return TextNode.valueOf(s);
        }
        return ConfigJson.mapper().valueToTree(raw);
    }

    /** {@code configuration} with interpolation off, so that every value is read as written. */
    private static <T extends AbstractConfiguration> T literal(T configuration) {
        configuration.setInterpolator(null);
        return configuration;
    }

    /**
     * The 1-based line of every key of a YAML document, by dotted path ({@code encoder.numLayers}),
     * from the positions of Jackson's YAML parser. Sequences are values, not descended into. Empty
     * if the parser cannot read the text (the messages then name the file without a line).
     */
    private static Map<String, Integer> yamlKeyLines(String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML_FACTORY.createParser(text)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                collectKeyLines(p, "", lines);
            }
        } catch (IOException e) {
            return Map.of();
        }
        return lines;
    }

    private static void collectKeyLines(JsonParser p, String prefix, Map<String, Integer> out)
            throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix.isEmpty() ? p.currentName() : prefix + "." + p.currentName();
            out.putIfAbsent(key, p.currentTokenLocation().getLineNr());
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_OBJECT) {
                collectKeyLines(p, key, out);
            } else if (value == JsonToken.START_ARRAY) {
                p.skipChildren();
            }
        }
    }

    /** The 1-based line of every key of a properties file; a repeated key's last line wins. */
    private static Map<String, Integer> propertiesKeyLines(String text) {
        Map<String, Integer> lines = new HashMap<>();
        List<String> all = text.lines().toList();
        for (int i = 0; i < all.size(); i++) {
            Matcher m = PROPERTIES_KEY.matcher(all.get(i));
            if (m.find()) {
                lines.put(m.group(1), i + 1);
            }
        }
        return lines;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return msg.replaceAll("\\s+", " ").strip();
    }
}
