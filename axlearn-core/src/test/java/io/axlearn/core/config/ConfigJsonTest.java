package io.axlearn.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.Fixtures.Encoder;
import io.axlearn.core.config.Fixtures.RmsNorm;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigJsonTest {

    private static Encoder rich() {
        Encoder cfg = Fixtures.encoder();
        cfg.set("norm.@type", "test/RmsNorm")
                .set("norm.eps", 0.01)
                .set("window.height", 7)
                .set("activation", ConfigValues.parse("GELU"))
                .set("seed", 42L);
        return cfg;
    }

    @Test
    void json_roundTripsToAnEqualConfig() {
        Encoder cfg = rich();
        String json = ConfigJson.toJson(cfg);
        assertTrue(json.contains("\"@type\" : \"test/Encoder\""), json);
        assertTrue(json.contains("\"@type\" : \"test/RmsNorm\""), json);
        Encoder back = ConfigJson.fromJson(json, Encoder.class);
        assertEquals(cfg, back);
        assertInstanceOf(RmsNorm.class, back.get("norm"));
    }

    @Test
    void yaml_roundTripsToAnEqualConfig() {
        Encoder cfg = rich();
        String yaml = ConfigJson.toYaml(cfg);
        assertTrue(
                yaml.contains("'@type': test/Encoder") || yaml.contains("\"@type\": test/Encoder"),
                yaml);
        assertEquals(cfg, ConfigJson.fromYaml(yaml, Encoder.class));
    }

    @Test
    void frozenConfig_roundTripsToAnEqualFrozenlessCopy() {
        Encoder frozen = rich();
        frozen.freeze("");
        Encoder back = ConfigJson.fromJson(ConfigJson.toJson(frozen), Encoder.class);
        assertEquals(frozen, back);
    }

    @Test
    void everyRegisteredType_roundTripsWithDefaults() {
        for (Map.Entry<String, Class<?>> e : ConfigTypes.all().entrySet()) {
            if (Modifier.isAbstract(e.getValue().getModifiers())) {
                continue;
            }
            ConfigBase<?> cfg = (ConfigBase<?>) ConfigSchema.of(e.getValue()).newInstance();
            @SuppressWarnings("unchecked") // the registry maps names to config classes.
            Class<ConfigBase<?>> type = (Class<ConfigBase<?>>) e.getValue();
            assertEquals(cfg, ConfigJson.fromJson(ConfigJson.toJson(cfg), type), e.getKey());
            assertEquals(cfg, ConfigJson.fromYaml(ConfigJson.toYaml(cfg), type), e.getKey());
        }
    }

    @Test
    void typeNameMayBeLeftOutForConcreteType() {
        Encoder back = ConfigJson.fromJson("{\"numLayers\": 3}", Encoder.class);
        assertEquals(3, back.get("numLayers"));
        assertEquals("encoder", back.get("name"), "missing fields keep their defaults");
    }

    @Test
    void javaClassNameAsType_isRefused() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ConfigJson.fromJson(
                                        "{\"@type\": \"java.lang.ProcessBuilder\"}",
                                        ConfigBase.class));
        assertTrue(
                e.getMessage().startsWith("unknown config type 'java.lang.ProcessBuilder'"),
                e.getMessage());
    }

    @Test
    void unknownTypeName_suggestsNearest() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ConfigJson.fromJson(
                                        "{\"norm\": {\"@type\": \"test/LayerNrom\"}}",
                                        Encoder.class));
        assertEquals(
                "unknown config type 'test/LayerNrom'; did you mean test/LayerNorm?",
                e.getMessage());
    }

    @Test
    void unknownField_namesPathAndSuggestion() {
        UnknownFieldException e =
                assertThrows(
                        UnknownFieldException.class,
                        () ->
                                ConfigJson.fromJson(
                                        "{\"norm\": {\"@type\": \"test/LayerNorm\", \"epz\": 1}}",
                                        Encoder.class));
        assertEquals("unknown field norm.epz; did you mean eps?", e.getMessage());
    }

    @Test
    void wrongType_namesPath() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> ConfigJson.fromYaml("numLayers: many\n", Encoder.class));
        assertTrue(e.getMessage().startsWith("reading config YAML: numLayers: "), e.getMessage());
    }

    @Test
    void unregisteredClass_cannotBeWritten() {
        class Unregistered extends ConfigBase<Unregistered> {}
        ConfigException e =
                assertThrows(ConfigException.class, () -> ConfigJson.toJson(new Unregistered()));
        assertTrue(e.getMessage().contains("has no @type name"), e.getMessage());
    }
}
