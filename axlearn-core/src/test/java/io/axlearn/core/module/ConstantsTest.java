package io.axlearn.core.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.testing.TorchGolden;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConstantsTest {

    @Test
    void get_buildsOnce_freesTheScratch_andKeepsTheArrayUntilClosed() {
        try (NDManager root = TorchGolden.manager()) {
            Constants constants = Constants.longLived(root);
            AtomicInteger builds = new AtomicInteger();
            List<NDArray> scratch = new ArrayList<>();
            NDArray first;
            try (NDManager pass = root.newSubManager()) {
                first =
                        constants.get(
                                "ramp/4",
                                m -> {
                                    builds.incrementAndGet();
                                    NDArray ramp = m.arange(4f);
                                    scratch.add(ramp);
                                    return ramp.mul(2f).reshape(new Shape(2, 2));
                                },
                                pass);
            }
            // The pass that built it has closed; the array is still there for the next one.
            assertFalse(first.isReleased());
            assertTrue(scratch.get(0).isReleased(), "the intermediate is freed at once");
            try (NDManager pass = root.newSubManager()) {
                NDArray again = constants.get("ramp/4", m -> m.zeros(new Shape(1)), pass);
                assertSame(first, again);
            }
            assertEquals(1, builds.get());
            assertEquals(1, constants.size());
            assertEquals(new Shape(2, 2), first.getShape());
            assertEquals(6f, first.getFloat(1, 1));
            constants.close();
            assertTrue(first.isReleased());
        }
    }

    @Test
    void aFullCache_buildsOnTheFallbackWithoutCaching() {
        try (NDManager root = TorchGolden.manager();
                Constants constants = Constants.longLived(root);
                NDManager pass = root.newSubManager()) {
            for (int i = 0; i < Constants.CAPACITY; i++) {
                constants.get("zeros/" + i, m -> m.zeros(new Shape(1)), pass);
            }
            NDArray overflow = constants.get("one more", m -> m.ones(new Shape(1)), pass);
            assertSame(pass, overflow.getManager());
            assertEquals(Constants.CAPACITY, constants.size());
            assertNotSame(overflow, constants.get("one more", m -> m.ones(new Shape(1)), pass));
        }
    }

    @Test
    void aPassCache_livesOnThePassManager() {
        try (NDManager root = TorchGolden.manager()) {
            NDArray table;
            try (NDManager pass = root.newSubManager()) {
                Constants constants = Constants.forPass(pass);
                table = constants.get("ones", m -> m.ones(new Shape(3)), pass);
                assertSame(pass, table.getManager());
                constants.close(); // does not own the pass's manager
                assertFalse(table.isReleased());
            }
            assertTrue(table.isReleased());
        }
    }
}
