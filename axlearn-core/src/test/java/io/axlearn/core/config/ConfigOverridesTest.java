package io.axlearn.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.Fixtures.Encoder;
import io.axlearn.core.config.Fixtures.RmsNorm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigOverridesTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void layers_defaultsThenFileThenCommandLine() throws IOException {
        Path yaml =
                write(
                        "exp.yaml",
                        String.join(
                                "\n",
                                "numLayers: 4",
                                "dropout: 0.1",
                                "norm:",
                                "  eps: 0.5",
                                "  '@type': test/RmsNorm",
                                "heads[cls].label: from-file",
                                "dims: [1, 2, 3]",
                                ""));
        Encoder cfg =
                ConfigOverrides.builder()
                        .file(yaml)
                        .set("numLayers=6")
                        .set("name=\"007\"")
                        .set("window={\"height\": 1, \"width\": 2}")
                        .build()
                        .applyTo(Fixtures.encoder());
        assertEquals(6, cfg.get("numLayers"), "--set wins over the file");
        assertEquals(0.1, cfg.get("dropout"), "the file wins over the defaults");
        assertEquals(16, cfg.get("modelDim"), "untouched defaults stay");
        assertInstanceOf(RmsNorm.class, cfg.get("norm"), "@type applies before sibling keys");
        assertEquals(0.5, cfg.get("norm.eps"));
        assertEquals("from-file", cfg.get("heads[cls].label"));
        assertEquals(List.of(1, 2, 3), cfg.get("dims"));
        assertEquals("007", cfg.get("name"), "quoted JSON stays a string");
        assertEquals(new Fixtures.Window(1, 2), cfg.get("window"));
    }

    @Test
    void propertiesFile_valuesParsedAsJsonElseString() throws IOException {
        Path props =
                write(
                        "exp.properties",
                        "numLayers = 3\nname = hello world\ndims = [4, 5]\nactivation=GELU\n");
        Encoder cfg = ConfigOverrides.builder().file(props).build().applyTo(Fixtures.encoder());
        assertEquals(3, cfg.get("numLayers"));
        assertEquals("hello world", cfg.get("name"));
        assertEquals(List.of(4, 5), cfg.get("dims"));
        assertEquals(Fixtures.Activation.GELU, cfg.get("activation"));
    }

    @Test
    void laterSetOfSamePath_wins() {
        Encoder cfg =
                ConfigOverrides.builder()
                        .set(List.of("numLayers=1", "numLayers=9"))
                        .build()
                        .applyTo(Fixtures.encoder());
        assertEquals(9, cfg.get("numLayers"));
    }

    @Test
    void unknownKeyInFile_namesFileLineAndSuggestion() throws IOException {
        Path yaml = write("bad.yaml", "numLayers: 2\nnorm:\n  epsilon: 0.1\n");
        ConfigOverrides overrides = ConfigOverrides.builder().file(yaml).build();
        ConfigException e =
                assertThrows(ConfigException.class, () -> overrides.applyTo(Fixtures.encoder()));
        assertEquals(
                "config file "
                        + yaml
                        + ", line 3 (norm.epsilon): unknown field norm.epsilon; did you mean eps?",
                e.getMessage());
    }

    @Test
    void wrongTypeOnCommandLine_namesArgument() {
        ConfigOverrides overrides = ConfigOverrides.builder().set("numLayers=two").build();
        ConfigException e =
                assertThrows(ConfigException.class, () -> overrides.applyTo(Fixtures.encoder()));
        assertEquals(
                "--set numLayers=two: numLayers: expected int, got two (string)", e.getMessage());
    }

    @Test
    void interpolationSyntax_isTakenLiterally_onTheCommandLineAndInFiles() throws IOException {
        Path secret = write("secret.txt", "do not read me");
        String env = "${env:HOME}";
        String file = "${file:UTF-8:" + secret + "}";
        Encoder fromSet =
                ConfigOverrides.builder()
                        .set("name=" + env)
                        .set("heads[cls].label=" + file)
                        .build()
                        .applyTo(Fixtures.encoder());
        assertEquals(env, fromSet.get("name"));
        assertEquals(file, fromSet.get("heads[cls].label"));

        Path yaml = write("lit.yaml", "name: " + env + "\nheads[cls].label: '" + file + "'\n");
        Encoder fromYaml = ConfigOverrides.builder().file(yaml).build().applyTo(Fixtures.encoder());
        assertEquals(env, fromYaml.get("name"));
        assertEquals(file, fromYaml.get("heads[cls].label"));

        Path props =
                write("lit.properties", "name = " + env + "\nheads[cls].label = " + file + "\n");
        Encoder fromProps =
                ConfigOverrides.builder().file(props).build().applyTo(Fixtures.encoder());
        assertEquals(env, fromProps.get("name"));
        assertEquals(file, fromProps.get("heads[cls].label"));
    }

    @Test
    void yamlError_namesTheLineOfTheFullPath() throws IOException {
        Path yaml =
                write(
                        "two.yaml",
                        String.join(
                                "\n",
                                "width: 4",
                                "encoder:",
                                "  numLayers: 2",
                                "decoder:",
                                "  numLayers: many",
                                ""));
        ConfigOverrides overrides = ConfigOverrides.builder().file(yaml).build();
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> overrides.applyTo(new ConfigJsonTest.UserBlock()));
        assertEquals(
                "config file "
                        + yaml
                        + ", line 5 (decoder.numLayers): decoder.numLayers: expected int, got many"
                        + " (string)",
                e.getMessage());
    }

    @Test
    void propertiesError_namesTheLineOfTheKey() throws IOException {
        Path props = write("two.properties", "# numLayers = 1\nname = x\nnumLayers = two\n");
        ConfigOverrides overrides = ConfigOverrides.builder().file(props).build();
        ConfigException e =
                assertThrows(ConfigException.class, () -> overrides.applyTo(Fixtures.encoder()));
        assertEquals(
                "config file "
                        + props
                        + ", line 3 (numLayers): numLayers: expected int, got two (string)",
                e.getMessage());
    }

    @Test
    void numberForAStepPolicy_meansEveryNSteps() throws IOException {
        ConfigJsonTest.UserBlock cfg =
                ConfigOverrides.builder()
                        .set("logEvery=100")
                        .build()
                        .applyTo(new ConfigJsonTest.UserBlock().width(1));
        assertEquals(StepPolicy.everyNSteps(100), cfg.get("logEvery"));
        Path yaml = write("policy.yaml", "logEvery: 30\n");
        assertEquals(
                StepPolicy.everyNSteps(30),
                ConfigOverrides.builder()
                        .file(yaml)
                        .build()
                        .applyTo(new ConfigJsonTest.UserBlock().width(1))
                        .get("logEvery"));
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ConfigOverrides.builder()
                                        .set("logEvery=often")
                                        .build()
                                        .applyTo(new ConfigJsonTest.UserBlock()));
        assertEquals(
                "--set logEvery=often: logEvery: expected a number of steps or config"
                        + " StepPolicy.EveryNSteps (a JSON object), got often (string)",
                e.getMessage());
    }

    @Test
    void malformedInput_isOneClearError() throws IOException {
        ConfigException noEquals =
                assertThrows(
                        ConfigException.class, () -> ConfigOverrides.builder().set("numLayers"));
        assertEquals(
                "--set numLayers: expected path=value, e.g. --set maxStep=100",
                noEquals.getMessage());
        Path missing = dir.resolve("nope.yaml");
        ConfigException notThere =
                assertThrows(ConfigException.class, () -> ConfigOverrides.builder().file(missing));
        assertEquals("config file " + missing + " does not exist", notThere.getMessage());
        Path txt = write("exp.txt", "x");
        ConfigException kind =
                assertThrows(ConfigException.class, () -> ConfigOverrides.builder().file(txt));
        assertTrue(
                kind.getMessage().endsWith("unknown kind; use .yaml, .yml, .json or .properties"));
        Path broken = write("broken.yaml", "numLayers: [1, 2\ndropout: 0.1\n");
        ConfigException syntax =
                assertThrows(ConfigException.class, () -> ConfigOverrides.builder().file(broken));
        assertTrue(
                syntax.getMessage().startsWith("config file " + broken + ": "),
                syntax.getMessage());
        assertTrue(syntax.getMessage().contains("line"), syntax.getMessage());
    }
}
