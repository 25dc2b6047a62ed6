package io.axlearn.trainer.launch;

import io.axlearn.core.config.ConfigBase;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A module of named experiments (axlearn's {@code named_trainer_configs}): stable names mapped to
 * factories of fresh configs. Found with {@link java.util.ServiceLoader}: list implementations in
 * {@code META-INF/services/io.axlearn.trainer.launch.ExperimentProvider}.
 *
 * <pre>{@code
 * public final class CharLmExperiments implements ExperimentProvider {
 *   public String module() { return "text.charlm"; }
 *   public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
 *     return Map.of("tiny", () -> trainer(2, 128), "base", () -> trainer(12, 768));
 *   }
 * }
 * }</pre>
 *
 * <p>Each named experiment gets a golden flat dump checked in beside its tests, so that any change
 * of a recipe or a default shows up in review.
 */
public interface ExperimentProvider {

    /** The module name used on the command line ({@code --module text.charlm}). */
    String module();

    /** Experiment names to factories; each call of a factory returns a new, mutable config. */
    Map<String, Supplier<? extends ConfigBase<?>>> experiments();
}
