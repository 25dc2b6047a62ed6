package io.axlearn.trainer.serve;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.TextGenerator;
import io.axlearn.trainer.RunDirectory;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.CheckpointException;
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
        BaseModel model = RunDirectory.trainer(trainerDir).model();
        if (!(model instanceof TextGenerator generator)) {
            throw new ConfigException(
                    "the model of "
                            + trainerDir
                            + " is a "
                            + model.getConfig().typeName()
                            + ", which does not generate text");
        }
        Checkpoint checkpoint = RunDirectory.latestCheckpoint(trainerDir, manager, warnings);
        return new TrainedGenerator(
                generator, ParamTree.of(checkpoint.params()), checkpoint.step());
    }
}
