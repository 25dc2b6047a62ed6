package io.axlearn.trainer;

import io.axlearn.core.input.InputState;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each data-parallel rank's input continues after a checkpoint saved by some number of ranks.
 * Rank {@code r} of {@code N} reads examples {@code r, r + N, r + 2N, ...} of each epoch (in source
 * order, through its own shuffle buffer when there is one), so the saved positions of all {@code N}
 * ranks say exactly which examples of the epoch were consumed: those before the ranks' cursors,
 * less those still waiting in their shuffle buffers.
 *
 * <p>Resumed on the same number of ranks, each rank takes its own saved position. Resumed on {@code
 * M} ranks, the examples already read ({@code g = cursor * N}: the first {@code g} of the epoch in
 * source order, every rank having read equal batches) stay read, rank {@code r} of {@code M}
 * continues with the first example {@code i >= g} with {@code i = r (mod M)}, and the examples
 * waiting in the old buffers go to the new rank that would have read them ({@code i mod M}), so no
 * example of the epoch is lost or repeated. With one process saved or resumed this is the same rule
 * with {@code N = 1} or {@code M = 1}.
 */
final class InputPositions {
    private InputPositions() {}

    /**
     * The position of {@code rank} of {@code ranks}.
     *
     * @param saved every saving rank's position, rank {@code r}'s at index {@code r} (one for one
     *     process)
     */
    static InputState forRank(List<InputState> saved, int rank, int ranks) {
        if (saved.size() == ranks) {
            return saved.get(rank);
        }
        InputState first = saved.get(0);
        long read = first.cursor() * saved.size();
        long cursor = Math.max(0, (read - rank + ranks - 1) / ranks);
        List<Long> buffer = new ArrayList<>();
        for (InputState s : saved) {
            for (long i : s.buffer()) {
                if (i % ranks == rank) {
                    buffer.add(i);
                }
            }
        }
        return new InputState(first.epoch(), cursor, first.rngState(), buffer, first.batches());
    }

    /** How many examples of the epoch the saving ranks had taken from the source. */
    static long read(List<InputState> saved) {
        return saved.get(0).cursor() * saved.size();
    }
}
