package io.axlearn.trainer;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-trainer}'s config classes. */
public final class TrainerConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.of(
                "trainer/Trainer", Trainer.Config.class,
                "trainer/Checkpointer", Checkpointer.Config.class,
                "trainer/Evaler", Evaler.Config.class,
                "trainer/InitialWeights", InitialWeights.Config.class);
    }
}
