package io.axlearn.trainer;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.CheckpointException;
import io.axlearn.trainer.checkpoint.Checkpointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What the commands that use a finished run read from its directory: the trainer built from its
 * {@code config.json}, and its newest complete checkpoint.
 */
public final class RunDirectory {
    private RunDirectory() {}

    /**
     * The trainer of the run in {@code trainerDir}, built from its {@code config.json}.
     *
     * @throws ConfigException if the directory has no {@code config.json}
     */
    public static Trainer trainer(Path trainerDir) {
        Path file = configFile(trainerDir);
        try {
            return ConfigJson.fromJson(Files.readString(file), Trainer.Config.class).instantiate();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@code config.json} of the run in {@code trainerDir}.
     *
     * @throws ConfigException if there is none
     */
    public static Path configFile(Path trainerDir) {
        Path file = trainerDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(
                    "--trainer-dir " + trainerDir + " has no config.json; is it a run directory?");
        }
        return file;
    }

    /**
     * The newest complete checkpoint of the run in {@code trainerDir}, on {@code manager}.
     *
     * @param warnings receives one line per checkpoint that was skipped (e.g. incomplete)
     * @throws CheckpointException if it has none
     */
    public static Checkpoint latestCheckpoint(
            Path trainerDir, NDManager manager, Consumer<String> warnings) {
        return Checkpointer.restoreLatest(trainerDir, manager, null, true, warnings)
                .orElseThrow(
                        () -> new CheckpointException(trainerDir + " has no complete checkpoint"));
    }
}
