package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.axlearn.core.config.ConfigJson;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentGoldens;
import io.axlearn.trainer.launch.ExperimentRegistry;
import org.junit.jupiter.api.Test;

class CharLmExperimentsTest {

    @Test
    void experiments_matchGoldenDumps() {
        ExperimentGoldens.assertAllMatch(
                ExperimentRegistry.load(), module -> !module.startsWith("test."));
    }

    @Test
    void parameterSpecs_matchGoldenDumps() {
        ExperimentRegistry registry = ExperimentRegistry.load();
        for (String name : registry.names("text.charlm")) {
            Trainer.Config cfg = (Trainer.Config) registry.get("text.charlm", name);
            io.axlearn.core.testing.Goldens.assertMatches(
                    "params/text.charlm/" + name + ".txt",
                    cfg.instantiate().model().paramSpecDump());
        }
    }

    @Test
    void tiny_roundTripsThroughJsonAndInstantiates() {
        Trainer.Config tiny = (Trainer.Config) ExperimentRegistry.load().get("text.charlm", "tiny");
        assertEquals(tiny, ConfigJson.fromJson(ConfigJson.toJson(tiny), Trainer.Config.class));
        Trainer trainer = tiny.instantiate();
        long params =
                trainer.model().paramSpecs().values().stream()
                        .mapToLong(s -> s.shape().size())
                        .sum();
        // embedding 256*128 + 2 layers * (2 norms 2*2*128 + attention 4*(128*128+128)
        //   + feed-forward 128*512+512 + 512*128+128) + output norm 2*128
        assertEquals(
                256 * 128 + 2 * (512 + 66_048 + 131_712) + 256, params, "tiny's parameter count");
    }
}
