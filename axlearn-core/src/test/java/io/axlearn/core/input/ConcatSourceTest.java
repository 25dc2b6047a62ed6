package io.axlearn.core.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.InputTest.RangeSource;
import org.junit.jupiter.api.Test;

class ConcatSourceTest {

    @Test
    void readsThePartsOneAfterTheOther() {
        ExampleSource s =
                new ConcatSource()
                        .addPart(new RangeSource().size(3))
                        .addPart(new RangeSource().size(0))
                        .addPart(new RangeSource().size(2))
                        .instantiate();
        assertEquals(5, s.size());
        int[] firstIds = new int[5];
        for (int i = 0; i < 5; i++) {
            firstIds[i] = s.get(i).ints("id")[0];
        }
        assertArrayEquals(new int[] {0, 1, 2, 0, 1}, firstIds);
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(5));
    }

    @Test
    void shuffleSeed_readsEveryExampleOnce_inAFixedMixedOrder() {
        ConcatSource cfg =
                new ConcatSource()
                        .addPart(new RangeSource().size(50))
                        .addPart(new RangeSource().size(30));
        ExampleSource inOrder = cfg.instantiate();
        ExampleSource permuted = cfg.copy().shuffleSeed(7L).instantiate();
        ExampleSource again = cfg.copy().shuffleSeed(7L).instantiate();
        assertEquals(80, permuted.size());
        int[] counts = new int[50];
        int moved = 0;
        for (int i = 0; i < 80; i++) {
            int id = permuted.get(i).ints("id")[0];
            assertEquals(id, again.get(i).ints("id")[0], "same seed, same order");
            counts[id]++;
            if (id != inOrder.get(i).ints("id")[0]) {
                moved++;
            }
        }
        for (int id = 0; id < 50; id++) {
            assertEquals(id < 30 ? 2 : 1, counts[id], "ids 0-29 are in both parts, 30-49 in one");
        }
        assertTrue(moved > 40, moved + " of 80 examples moved");
    }

    @Test
    void noParts_isAConfigErrorNamingTheField() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> new ConcatSource().instantiate());
        assertTrue(e.getMessage().contains("parts"), e.getMessage());
    }
}
