package io.axlearn.trainer.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.axlearn.core.testing.Goldens;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden flat dumps of named experiments, at {@code
 * src/test/resources/golden/experiments/<module>/<name>.txt} of the module whose tests call this.
 */
public final class ExperimentGoldens {
    private ExperimentGoldens() {}

    /**
     * Asserts that each experiment's dump equals its golden file (or rewrites the files with {@code
     * -Dgolden.update=true}) and that no golden file is left without an experiment.
     */
    public static void assertAllMatch(ExperimentRegistry registry) {
        assertAllMatch(registry, module -> true);
    }

    /** {@link #assertAllMatch(ExperimentRegistry)} for the modules that {@code modules} accepts. */
    public static void assertAllMatch(
            ExperimentRegistry registry, java.util.function.Predicate<String> modules) {
        List<String> expectedFiles = new ArrayList<>();
        var modulesToCheck = new java.util.TreeMap<>(registry.names());
        modulesToCheck.keySet().removeIf(modules.negate());
        modulesToCheck.forEach(
                (module, names) ->
                        names.forEach(
                                name -> {
                                    String file = module + "/" + name + ".txt";
                                    expectedFiles.add(file);
                                    Goldens.assertMatches(
                                            "experiments/" + file,
                                            registry.get(module, name).toString());
                                }));
        if (!Goldens.updating()) {
            assertEquals(
                    expectedFiles.stream().sorted().toList(),
                    Goldens.list("experiments", ".txt"),
                    "golden experiment files without an experiment (delete them)");
        }
    }
}
