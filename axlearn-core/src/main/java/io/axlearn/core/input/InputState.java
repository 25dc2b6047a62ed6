package io.axlearn.core.input;

import java.util.List;

/**
 * Where an {@link Input} stands, saved in checkpoints and restored exactly: the next example to
 * read in the current epoch's order, the shuffle buffer (as source indices) and the shuffle
 * generator's state.
 *
 * @param epoch passes over the source completed so far
 * @param cursor position in this host's share of the current epoch
 * @param rngState state of the shuffle generator (SplitMix64)
 * @param buffer source indices waiting in the shuffle buffer, in buffer order
 * @param batches batches produced so far
 */
public record InputState(long epoch, long cursor, long rngState, List<Long> buffer, long batches) {

    public InputState {
        buffer = List.copyOf(buffer);
    }

    /** The state before the first batch for a given seed. */
    public static InputState start(long seed) {
        return new InputState(0, 0, seed, List.of(), 0);
    }
}
