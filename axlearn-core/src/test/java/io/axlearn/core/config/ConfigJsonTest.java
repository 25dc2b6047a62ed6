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

    /** A config class of "user code": no provider, never registered. */
    static final class UserBlock extends InstantiableConfig<UserBlock, String> {
        @Required Integer width;
        UserStack encoder = new UserStack();
        UserStack decoder = new UserStack();
        StepPolicy.EveryNSteps logEvery = StepPolicy.everyNSteps(10);

        UserBlock width(int v) {
            return set(() -> width = v);
        }

        @Override
        protected String create() {
            return "block " + width;
        }
    }

    /** A second user config class, only ever created by {@link UserBlock}'s constructor. */
    static final class UserStack extends ConfigBase<UserStack> {
        int numLayers = 1;
    }

    /** Created by no code in this test JVM: its name must not resolve. */
    static final class NeverCreated extends ConfigBase<NeverCreated> {}

    @Test
    void userClassWithoutProvider_isNamedByUse_dumpedAndRoundTripped() {
        UserBlock cfg = new UserBlock().width(8);
        String name = "io.axlearn.core.config.ConfigJsonTest.UserBlock";
        assertEquals(name, cfg.typeName());
        assertTrue(
                cfg.toString()
                        .startsWith(
                                "@type: "
                                        + name
                                        + "\ndecoder.@type: "
                                        + "io.axlearn.core.config.ConfigJsonTest.UserStack\n"),
                cfg.toString());
        String json = ConfigJson.toJson(cfg);
        assertTrue(json.contains("\"@type\" : \"" + name + "\""), json);
        assertEquals(cfg, ConfigJson.fromJson(json, UserBlock.class));
        assertEquals(cfg, ConfigJson.fromJson(json, ConfigBase.class), "by name alone");
        assertEquals(cfg, ConfigJson.fromYaml(ConfigJson.toYaml(cfg), UserBlock.class));
        assertEquals("block 8", cfg.instantiate());
    }

    @Test
    void userClassNameNotCreatedInThisProcess_isRefused() {
        String name = "io.axlearn.core.config.ConfigJsonTest.NeverCreated";
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ConfigJson.fromJson(
                                        "{\"@type\": \"" + name + "\"}", ConfigBase.class));
        assertTrue(e.getMessage().startsWith("unknown config type '" + name + "'"), e.getMessage());
        assertTrue(
                e.getMessage().contains("known only once code in this process has created one"),
                e.getMessage());
        assertTrue(ConfigTypes.nameOf(NeverCreated.class).isEmpty());
    }

    @Test
    void registeredName_winsOverNameByUse() {
        assertEquals("core/EveryNSteps", StepPolicy.everyNSteps(3).typeName());
        assertEquals("test/Encoder", Fixtures.encoder().typeName());
    }

    @Test
    void stepPolicyField_readsABareNumberAsEveryNSteps() {
        UserBlock back = ConfigJson.fromJson("{\"width\": 2, \"logEvery\": 25}", UserBlock.class);
        assertEquals(StepPolicy.everyNSteps(25), back.logEvery);
        assertEquals(
                StepPolicy.everyNSteps(7),
                ConfigJson.fromYaml("width: 2\nlogEvery: 7\n", UserBlock.class).logEvery);
    }

    @Test
    void localClass_cannotBeWritten() {
        class Local extends ConfigBase<Local> {}
        ConfigException e =
                assertThrows(ConfigException.class, () -> ConfigJson.toJson(new Local()));
        assertTrue(e.getMessage().contains("has no @type name"), e.getMessage());
        assertTrue(e.getMessage().contains("static nested class"), e.getMessage());
    }
}
