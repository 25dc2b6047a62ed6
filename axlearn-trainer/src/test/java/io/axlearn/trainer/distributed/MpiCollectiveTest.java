package io.axlearn.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every collective of {@link MpiCollective} on 2 and 3 ranks under mpirun. */
class MpiCollectiveTest {
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void collectivesAgreeWithHandComputedValues(int ranks) {
        MpiTesting.assumeMpi();
        MpiTesting.Result r = MpiTesting.run(ranks, MpiTesting.java(CollectiveWorker.class), 120);
        assertEquals(0, r.exitCode(), r.output());
        for (int rank = 0; rank < ranks; rank++) {
            assertTrue(r.output().contains("rank " + rank + " of " + ranks + " ok"), r.output());
        }
    }
}
