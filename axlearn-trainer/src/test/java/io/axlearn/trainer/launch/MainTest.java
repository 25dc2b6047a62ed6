package io.axlearn.trainer.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MainTest {
    @TempDir Path dir;

    /** Exit status, standard output and standard error of one run. */
    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void list_printsEveryExperiment() {
        Result r = run("list");
        assertEquals(0, r.status(), r.err());
        assertEquals("test.demo large\ntest.demo small\n", r.out());
        assertEquals(
                "test.demo small\n",
                run("list", "--module", "test.demo")
                                .out()
                                .lines()
                                .filter(l -> l.endsWith("small"))
                                .findFirst()
                                .orElse("")
                        + "\n");
    }

    @Test
    void show_printsResolvedFlatDump() {
        Result r = run("show", "--module", "test.demo", "--config", "small");
        assertEquals(0, r.status(), r.err());
        assertEquals(
                String.join(
                        "\n",
                        "@type: test/Demo",
                        "dataPath: data/train.txt",
                        "evalPolicy.@type: core/EveryNSteps",
                        "evalPolicy.minStep: 1",
                        "evalPolicy.n: 100",
                        "learningRate: 0.001",
                        "modelDim: 64",
                        "numLayers: 2",
                        "stages: [1,2]",
                        ""),
                r.out());
        assertEquals("", r.err());
    }

    @Test
    void show_appliesFileThenSetOverrides() throws IOException {
        Path yaml = dir.resolve("over.yaml");
        Files.writeString(yaml, "numLayers: 6\nmodelDim: 128\nevalPolicy:\n  n: 10\n");
        Result r =
                run(
                        "show",
                        "--module",
                        "test.demo",
                        "--config",
                        "small",
                        "--config-file",
                        yaml.toString(),
                        "--set",
                        "modelDim=256",
                        "--set",
                        "dataPath=/tmp/my corpus.txt");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("numLayers: 6\n"), r.out());
        assertTrue(r.out().contains("modelDim: 256\n"), "--set wins over the file: " + r.out());
        assertTrue(r.out().contains("evalPolicy.n: 10\n"), r.out());
        assertTrue(r.out().contains("dataPath: /tmp/my corpus.txt\n"), r.out());
    }

    @Test
    void show_jsonOutputReadsBack() {
        Result r = run("show", "--module", "test.demo", "--config", "large", "--format", "json");
        assertEquals(0, r.status(), r.err());
        DemoExperiments.Demo back = ConfigJson.fromJson(r.out(), DemoExperiments.Demo.class);
        assertEquals(
                ExperimentRegistry.load().get("test.demo", "large"),
                back,
                "the printed JSON is the resolved config");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "unknown module|--module test.dmeo --config small|error: unknown module 'test.dmeo'; did you mean test.demo?",
                "unknown config|--module test.demo --config smal|error: unknown config 'smal' in module test.demo; did you mean small?",
                "unknown path|--module test.demo --config small --set numLayer=3|error: --set numLayer=3: unknown field numLayer; did you mean numLayers?",
                "wrong type|--module test.demo --config small --set modelDim=wide|error: --set modelDim=wide: modelDim: expected int, got wide (string)",
                "no equals|--module test.demo --config small --set modelDim|error: --set modelDim: expected path=value, e.g. --set maxStep=100",
                "missing file|--module test.demo --config small --config-file /nonexistent/x.yaml|error: config file /nonexistent/x.yaml does not exist",
                "missing option|--module test.demo|error: Missing required option: '--config=<config>'",
            })
    void show_badInput_isOneClearLineAndStatus2(String what, String args, String expected) {
        Result r = run(("show " + args).split(" "));
        assertEquals(Main.EXIT_BAD_INPUT, r.status(), what);
        assertEquals(expected, r.err().lines().findFirst().orElse(""), what);
        assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownCommand_isBadInput() {
        Result r = run("trian");
        assertEquals(Main.EXIT_BAD_INPUT, r.status());
        assertTrue(r.err().startsWith("error: Unmatched argument at index 0: 'trian'"), r.err());
    }
}
