package io.axlearn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.axlearn.core.input.InputState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class InputPositionsTest {

    @Test
    void sameNumberOfRanksResumesEachRankFromItsOwnPosition() {
        List<InputState> saved =
                List.of(
                        new InputState(1, 10, 7, List.of(0L, 4L), 5),
                        new InputState(1, 10, 7, List.of(3L, 9L), 5));
        assertEquals(saved.get(1), InputPositions.forRank(saved, 1, 2));
        InputState one = new InputState(0, 12, 3, List.of(), 4);
        assertEquals(one, InputPositions.forRank(List.of(one), 0, 1));
    }

    /**
     * 2 ranks had taken examples 0..23 of epoch 1 from the source (cursor 12 each), and still hold
     * 0, 4 (rank 0) and 3, 9 (rank 1) in their shuffle buffers: 3 ranks continue from example 24 on
     * (cursor 8 each: rank r next reads 24 + r), with the 4 buffered examples dealt by index mod 3,
     * so no example of the epoch is lost or read twice.
     */
    @Test
    void otherNumberOfRanksContinuesAfterTheConsumedExamplesWithTheBufferedOnesDealtOut() {
        List<InputState> saved =
                List.of(
                        new InputState(1, 12, 7, List.of(0L, 4L), 5),
                        new InputState(1, 12, 7, List.of(3L, 9L), 5));
        assertEquals(24, InputPositions.read(saved));
        List<Long> buffered = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            InputState s = InputPositions.forRank(saved, r, 3);
            assertEquals(8, s.cursor(), "rank " + r + " of 3 next reads 8 * 3 + r");
            assertEquals(1, s.epoch());
            assertEquals(7, s.rngState());
            assertEquals(5, s.batches());
            for (long i : s.buffer()) {
                assertEquals(r, i % 3, "buffered example " + i + " goes to rank " + i % 3);
            }
            buffered.addAll(s.buffer());
        }
        assertEquals(new TreeSet<>(List.of(0L, 3L, 4L, 9L)), new TreeSet<>(buffered));
        assertEquals(4, buffered.size());
    }

    /** One process had read 25 examples: 2 ranks continue at 25 (rank 1) and 26 (rank 0). */
    @Test
    void oneProcessToTwoRanksSplitsTheRestOfTheEpoch() {
        List<InputState> saved = List.of(new InputState(0, 25, 1, List.of(), 3));
        assertEquals(13, InputPositions.forRank(saved, 0, 2).cursor()); // next: 13 * 2 = 26
        assertEquals(12, InputPositions.forRank(saved, 1, 2).cursor()); // next: 12 * 2 + 1 = 25
    }
}
