package io.axlearn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigOverrides;
import io.axlearn.core.config.StepPolicy;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's command-line surface as DESIGN §5 promises it: step policies take a number. */
class TrainerConfigOverridesTest {
    @TempDir Path dir;

    private static Trainer.Config trainer() {
        return Trainer.config().evaler("validation", Evaler.config());
    }

    @Test
    void numberForCheckpointerAndEvalerPolicies_meansEveryNSteps() {
        Trainer.Config cfg =
                ConfigOverrides.builder()
                        .set("checkpointer.everyNSteps=100")
                        .set("evalers[validation].everyNSteps=50")
                        .build()
                        .applyTo(trainer());
        assertEquals(StepPolicy.everyNSteps(100), cfg.get("checkpointer.everyNSteps"));
        assertEquals(StepPolicy.everyNSteps(50), cfg.get("evalers[validation].everyNSteps"));
        assertTrue(cfg.toString().contains("checkpointer.everyNSteps.n: 100\n"), cfg.toString());

        Checkpointer checkpointer = ((Checkpointer.Config) cfg.get("checkpointer")).instantiate();
        assertFalse(checkpointer.shouldSave(50));
        assertTrue(checkpointer.shouldSave(100));
        assertTrue(checkpointer.shouldSave(200));
    }

    @Test
    void numberInAConfigFile_meansEveryNSteps() throws IOException {
        Path yaml = dir.resolve("policy.yaml");
        Files.writeString(yaml, "checkpointer:\n  everyNSteps: 250\n");
        Trainer.Config cfg = ConfigOverrides.builder().file(yaml).build().applyTo(trainer());
        assertEquals(StepPolicy.everyNSteps(250), cfg.get("checkpointer.everyNSteps"));
    }

    @Test
    void intervalAlone_keepsTheRestOfThePolicy() {
        Trainer.Config cfg = trainer();
        cfg.set("checkpointer.everyNSteps.minStep", 500L);
        ConfigOverrides.builder().set("checkpointer.everyNSteps.n=100").build().applyTo(cfg);
        assertEquals(StepPolicy.everyNSteps(100).minStep(500), cfg.get("checkpointer.everyNSteps"));
    }

    @Test
    void nonPositiveNumber_isRefusedAtInstantiate() {
        Checkpointer.Config cfg =
                ConfigOverrides.builder()
                        .set("everyNSteps=0")
                        .build()
                        .applyTo(Checkpointer.config());
        ConfigException e = assertThrows(ConfigException.class, cfg::instantiate);
        assertEquals(
                "everyNSteps.n must be positive, got 0 (StepPolicy.EveryNSteps)", e.getMessage());
    }
}
