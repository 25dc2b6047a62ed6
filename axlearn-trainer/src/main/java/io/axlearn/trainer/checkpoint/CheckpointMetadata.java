package io.axlearn.trainer.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.axlearn.core.input.InputState;

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
 * @param inputHosts how many data-parallel ranks read the input, each its own share ({@code input}
 *     is rank 0's position), so a run resumed on another number of ranks can continue after the
 *     same examples; {@code null} (not written) for one process and for checkpoints written before
 *     the field existed
 */
public record CheckpointMetadata(
        @JsonProperty(required = true) int formatVersion,
        @JsonProperty(required = true) long optimizerStep,
        @JsonProperty(required = true) long seed,
        @JsonProperty(required = true) InputState input,
        @JsonProperty(required = true) String config,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer inputHosts) {

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
     * This metadata with the number of ranks that read the input; 1 (one process) leaves the field
     * out.
     */
    public CheckpointMetadata withInputHosts(int hosts) {
        return new CheckpointMetadata(
                formatVersion, optimizerStep, seed, input, config, hosts > 1 ? hosts : null);
    }

    /** Metadata of a checkpoint of parameters only. */
    static CheckpointMetadata paramsOnly() {
        return new CheckpointMetadata(FORMAT_VERSION, 0, 0, null, null, null);
    }
}
