package io.axlearn.trainer.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.axlearn.core.input.InputState;
import java.util.List;

/**
 * The typed metadata in a checkpoint's {@code index.json}, beside the tensor list.
 *
 * @param formatVersion the checkpoint format; {@link #FORMAT_VERSION} when written by this build.
 *     Restore refuses any other version with a message naming both.
 * @param optimizerStep the optimiser's last applied update (its {@code OptimizerState.step()})
 * @param seed the run seed the checkpoint was trained with
 * @param input where the training input stands after {@code step}; {@code null} for a checkpoint of
 *     parameters only (the input starts from its seed)
 * @param config the run's resolved config as JSON; {@code null} if not known
 * @param rankInputs every data-parallel rank's input position, rank {@code r}'s at index {@code r}
 *     ({@code input} is rank 0's), so each rank resumes from its own, and a run resumed on another
 *     number of ranks continues after the same examples; {@code null} (not written) for one process
 *     and for checkpoints written before the field existed
 */
public record CheckpointMetadata(
        @JsonProperty(required = true) int formatVersion,
        @JsonProperty(required = true) long optimizerStep,
        @JsonProperty(required = true) long seed,
        @JsonProperty(required = true) InputState input,
        @JsonProperty(required = true) String config,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<InputState> rankInputs) {

    public CheckpointMetadata {
        rankInputs = rankInputs == null ? null : List.copyOf(rankInputs);
    }

    /**
     * The format this build writes and reads. Version 1 (before typed metadata) had no {@code
     * formatVersion} field.
     */
    public static final int FORMAT_VERSION = 2;

    /** Metadata of a training checkpoint in the current format. */
    public static CheckpointMetadata of(
            long optimizerStep, long seed, InputState input, String config) {
        return new CheckpointMetadata(FORMAT_VERSION, optimizerStep, seed, input, config, null);
    }

    /**
     * This metadata with every data-parallel rank's input position ({@code positions.get(0)} must
     * be {@link #input()}); a single position (one process) leaves the field out.
     */
    public CheckpointMetadata withRankInputs(List<InputState> positions) {
        return new CheckpointMetadata(
                formatVersion,
                optimizerStep,
                seed,
                input,
                config,
                positions.size() > 1 ? positions : null);
    }

    /** Every rank's input position: {@link #rankInputs()}, or {@link #input()} alone. */
    public List<InputState> inputOfEveryRank() {
        return rankInputs != null ? rankInputs : List.of(input);
    }

    /** Metadata of a checkpoint of parameters only. */
    static CheckpointMetadata paramsOnly() {
        return new CheckpointMetadata(FORMAT_VERSION, 0, 0, null, null, null);
    }
}
