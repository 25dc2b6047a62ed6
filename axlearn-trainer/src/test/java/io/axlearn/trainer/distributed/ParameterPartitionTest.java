package io.axlearn.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ParameterPartitionTest {

    private static SortedMap<String, Long> sizes(Object... pathsAndBytes) {
        SortedMap<String, Long> m = new TreeMap<>();
        for (int i = 0; i < pathsAndBytes.length; i += 2) {
            m.put((String) pathsAndBytes[i], ((Number) pathsAndBytes[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void largestFirstOntoTheLeastLoadedRank() {
        // 100 -> 0, 60 -> 1, 50 -> 1 (60 < 100), 40 -> 0 (100 < 110), 10 -> 1 (110 < 140).
        ParameterPartition p =
                ParameterPartition.balanced(sizes("a", 40, "b", 100, "c", 50, "d", 60, "e", 10), 2);
        assertEquals(List.of("a", "b"), p.paths(0));
        assertEquals(List.of("c", "d", "e"), p.paths(1));
        assertEquals(140, p.bytes(0));
        assertEquals(120, p.bytes(1));
        assertEquals(140, p.largestBytes());
        assertTrue(p.owns(1, "e"));
        assertFalse(p.owns(0, "e"));
        assertFalse(p.owns(0, "not/a/parameter"));
    }

    @Test
    void everyParameterHasExactlyOneOwnerAndTiesGoToTheLowerRank() {
        ParameterPartition p = ParameterPartition.balanced(sizes("x", 8, "y", 8, "z", 8), 3);
        assertEquals(List.of("x"), p.paths(0)); // equal sizes: path order, lowest rank first
        assertEquals(List.of("y"), p.paths(1));
        assertEquals(List.of("z"), p.paths(2));
        assertEquals(3, p.owners().size());
    }

    @Test
    void moreRanksThanParametersLeavesSomeRanksEmpty() {
        ParameterPartition p = ParameterPartition.balanced(sizes("only", 4), 3);
        assertEquals(List.of("only"), p.paths(0));
        assertEquals(List.of(), p.paths(2));
        assertEquals(0, p.bytes(2));
        ParameterPartition one = ParameterPartition.balanced(sizes("a", 4, "b", 8), 1);
        assertEquals(List.of("a", "b"), one.paths(0));
        assertThrows(IllegalArgumentException.class, () -> ParameterPartition.balanced(sizes(), 0));
    }
}
