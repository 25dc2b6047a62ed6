package io.axlearn.trainer.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.axlearn.core.testing.Goldens;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Diffs every named experiment's flat dump against its golden file. */
class ExperimentGoldensTest {

    @Test
    void everyExperiment_matchesGoldenDump_andNoGoldenIsStale() {
        ExperimentGoldens.assertAllMatch(ExperimentRegistry.load());
    }

    @Test
    void experimentsOnThisClassPath_areTheDemoOnes() {
        List<String> all = new ArrayList<>();
        ExperimentRegistry.load()
                .names()
                .forEach((m, names) -> names.forEach(n -> all.add(m + "/" + n)));
        assertEquals(List.of("test.demo/large", "test.demo/small"), all);
        assertEquals(
                List.of("test.demo/large.txt", "test.demo/small.txt"),
                Goldens.list("experiments", ".txt"));
    }
}
