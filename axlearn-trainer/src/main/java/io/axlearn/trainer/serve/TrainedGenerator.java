package io.axlearn.trainer.serve;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.TextGenerator;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.CheckpointException;
import io.axlearn.trainer.checkpoint.Checkpointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The text generator of a run directory with the weights of its newest complete checkpoint: what
 * {@code axlearn generate} and {@code axlearn serve} run.
 *
 * @param generator the run's model, which generates text
 * @param params its weights, on the manager given to {@link #load}
 * @param step the training step of the checkpoint
 */
public record TrainedGenerator(TextGenerator generator, ParamTree params, long step) {

    /**
     * Reads {@code trainerDir/config.json} and restores the newest complete checkpoint onto {@code
     * manager}.
     *
     * @param warnings receives one line per checkpoint that was skipped (e.g. incomplete)
     * @throws ConfigException if the directory is not a run or its model does not generate text
     * @throws CheckpointException if it has no complete checkpoint
     */
    public static TrainedGenerator load(
            Path trainerDir, NDManager manager, Consumer<String> warnings) {
        BaseModel model = runConfig(trainerDir).model();
        if (!(model instanceof TextGenerator generator)) {
            throw new ConfigException(
                    "the model of "
                            + trainerDir
                            + " is a "
                            + model.getConfig().typeName()
                            + ", which does not generate text");
        }
        Checkpoint checkpoint =
                Checkpointer.restoreLatest(trainerDir, manager, null, true, warnings)
                        .orElseThrow(
                                () ->
                                        new CheckpointException(
                                                trainerDir + " has no complete checkpoint"));
        return new TrainedGenerator(
                generator, ParamTree.of(checkpoint.params()), checkpoint.step());
    }

    /** The trainer of the run, built from its {@code config.json}. */
    private static Trainer runConfig(Path trainerDir) {
        Path file = trainerDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(
                    "--trainer-dir " + trainerDir + " has no config.json; is it a run directory?");
        }
        try {
            return ConfigJson.fromJson(Files.readString(file), Trainer.Config.class).instantiate();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
