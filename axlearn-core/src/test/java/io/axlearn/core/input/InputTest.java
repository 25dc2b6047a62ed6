package io.axlearn.core.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.Required;
import io.axlearn.core.testing.TorchGolden;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InputTest {

    /** Example i: ints "id" = [i, 2i], floats "x" = [i / 10]. */
    static final class RangeSource extends ExampleSource.Config<RangeSource> {
        @Required Long size;

        RangeSource size(long v) {
            return set(() -> size = v);
        }

        @Override
        protected ExampleSource create() {
            long n = size;
            return new ExampleSource() {
                @Override
                public long size() {
                    return n;
                }

                @Override
                public Example get(long i) {
                    return Example.of(
                            Map.of(
                                    "id",
                                    new int[] {(int) i, (int) (2 * i)},
                                    "x",
                                    new float[] {i / 10f}));
                }
            };
        }
    }

    /** Each example a float feature larger than the test JVM's whole heap. */
    static final class HeapBusterSource extends ExampleSource.Config<HeapBusterSource> {
        @Override
        protected ExampleSource create() {
            return new ExampleSource() {
                @Override
                public long size() {
                    return 4;
                }

                @Override
                public Example get(long i) {
                    long floats = Runtime.getRuntime().maxMemory() / Float.BYTES + 1;
                    return Example.of(
                            Map.of("x", new float[(int) Math.min(floats, Integer.MAX_VALUE - 8)]));
                }
            };
        }
    }

    @Test
    void outOfMemoryOnThePrefetchThread_endsTheRunWithOneLine_insteadOfHanging() {
        Input input =
                Input.config()
                        .source(new HeapBusterSource())
                        .batchSize(2)
                        .prefetch(2)
                        .instantiate();
        ConfigException e =
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                        java.time.Duration.ofSeconds(60),
                        () -> {
                            try (Input.BatchIterator it = input.iterator()) {
                                return assertThrows(ConfigException.class, it::next);
                            }
                        });
        assertTrue(
                e.getMessage().startsWith("the input pipeline ran out of Java heap ("),
                e.getMessage());
        assertTrue(
                e.getMessage().endsWith("lower input.batchSize or raise -Xmx (AXLEARN_JAVA_OPTS)"));
    }

    @Test
    void aSavedPositionPastASmallerSource_isRefusedWithOneLine() {
        Input big =
                Input.config()
                        .source(new RangeSource().size(100))
                        .batchSize(10)
                        .prefetch(0)
                        .instantiate();
        InputState after;
        try (Input.BatchIterator it = big.iterator()) {
            for (int i = 0; i < 5; i++) {
                it.next();
            }
            after = it.next().stateAfter();
        }
        Input small =
                Input.config()
                        .source(new RangeSource().size(20))
                        .batchSize(10)
                        .prefetch(0)
                        .instantiateAt("input");
        InputState saved = after;
        ConfigException e = assertThrows(ConfigException.class, () -> small.iterator(saved));
        assertEquals(
                "the saved input position (epoch 0, example 60) does not fit input.source, which"
                        + " now holds 20 examples (20 for this host); the data changed since the"
                        + " checkpoint: resume with the same data, or start a new trainer directory",
                e.getMessage());
    }

    /** Adds 1000 to the first id. */
    static final class Plus1000 extends Processor.Config<Plus1000> {
        @Override
        protected Processor create() {
            return e -> e.with("id", new int[] {e.ints("id")[0] + 1000, e.ints("id")[1]});
        }
    }

    private static Input.Config input(long size, int batch) {
        return Input.config().source(new RangeSource().size(size)).batchSize(batch);
    }

    /** The first id of every example of the next {@code count} batches (-1 for padding). */
    private static List<Integer> ids(Input.BatchIterator it, int count) {
        List<Integer> out = new ArrayList<>();
        for (int b = 0; b < count && it.hasNext(); b++) {
            Batch batch = it.next();
            var idBuf =
                    batch.features()
                            .get("id")
                            .duplicate()
                            .order(java.nio.ByteOrder.nativeOrder())
                            .asIntBuffer();
            var wBuf =
                    batch.features()
                            .get(Batch.WEIGHT)
                            .duplicate()
                            .order(java.nio.ByteOrder.nativeOrder())
                            .asFloatBuffer();
            for (int i = 0; i < batch.size(); i++) {
                out.add(wBuf.get(i) == 0f ? -1 : idBuf.get(2 * i));
            }
        }
        return out;
    }

    @Test
    void eval_readsOncePadsLastBatchWithWeightZero() {
        Input in = input(7, 3).training(false).instantiate();
        assertEquals(3, in.evalBatches());
        try (var it = in.iterator()) {
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, -1, -1), ids(it, 10));
            assertEquals(false, it.hasNext());
        }
    }

    @Test
    void training_repeatsEpochsInOrderWithoutShuffle() {
        try (var it = input(4, 3).prefetch(0).instantiate().iterator()) {
            assertEquals(List.of(0, 1, 2, 3, 0, 1, 2, 3, 0), ids(it, 3));
        }
    }

    @Test
    void shuffle_isDeterministicPerSeedAndCoversEachEpoch() {
        Input.Config cfg = input(20, 5).shuffleBufferSize(8).seed(3);
        List<Integer> a;
        List<Integer> b;
        try (var it = cfg.instantiate().iterator()) {
            a = ids(it, 8);
        }
        try (var it = cfg.instantiate().iterator()) {
            b = ids(it, 8);
        }
        assertEquals(a, b);
        try (var it = cfg.copy().seed(4).instantiate().iterator()) {
            assertNotEquals(a, ids(it, 8));
        }
        assertNotEquals(List.of(0, 1, 2, 3, 4), a.subList(0, 5), "shuffled");
        Set<Integer> firstTwoEpochs = new HashSet<>(a);
        assertEquals(
                20,
                firstTwoEpochs.size(),
                "every example appears within two epochs' worth of batches");
    }

    @ParameterizedTest(name = "prefetch={0}")
    @ValueSource(ints = {0, 2})
    void resume_fromSavedStateContinuesExactly(int prefetch) {
        Input.Config cfg = input(23, 4).shuffleBufferSize(6).seed(9).prefetch(prefetch);
        List<Integer> uninterrupted;
        InputState saved;
        try (var it = cfg.instantiate().iterator()) {
            List<Integer> all = new ArrayList<>();
            Batch third = null;
            for (int i = 0; i < 3; i++) {
                third = it.next();
            }
            saved = third.stateAfter();
            all.addAll(ids(it, 10));
            uninterrupted = all;
        }
        assertEquals(3, saved.batches());
        try (var it = cfg.instantiate().iterator(saved)) {
            assertEquals(uninterrupted, ids(it, 10));
        }
    }

    @Test
    void hosts_readDisjointSharesThatCoverTheSource() {
        Set<Integer> seen = new HashSet<>();
        for (int host = 0; host < 3; host++) {
            Input in = input(10, 2).training(false).hosts(host, 3).instantiate();
            try (var it = in.iterator()) {
                for (int id : ids(it, 100)) {
                    if (id >= 0) {
                        assertTrue(seen.add(id), "example " + id + " read twice");
                        assertEquals(host, id % 3);
                    }
                }
            }
        }
        assertEquals(10, seen.size());
    }

    @Test
    void processors_applyAndBatchesBecomeArrays() {
        Input in = input(5, 2).addProcessor(new Plus1000()).instantiate();
        try (var it = in.iterator();
                NDManager m = TorchGolden.manager()) {
            Batch b = it.next();
            Map<String, NDArray> arrays = b.toArrays(m);
            assertEquals(DataType.INT32, arrays.get("id").getDataType());
            assertArrayEquals(new int[] {1000, 0, 1001, 2}, arrays.get("id").toIntArray());
            assertArrayEquals(new float[] {0f, 0.1f}, arrays.get("x").toFloatArray());
            assertArrayEquals(new float[] {1f, 1f}, arrays.get(Batch.WEIGHT).toFloatArray());
        }
    }

    @Test
    void config_errorsNamePaths() {
        ConfigException batch =
                assertThrows(
                        ConfigException.class,
                        () -> input(5, 0).instantiateAt("evalers[val].input"));
        assertEquals(
                "evalers[val].input.batchSize must be positive, got 0 (Input.Config)",
                batch.getMessage());
        ConfigException host =
                assertThrows(
                        ConfigException.class,
                        () -> input(5, 1).hosts(2, 2).instantiateAt("input"));
        assertEquals(
                "input.hostIndex must be in [0, hostCount=2), got 2 (Input.Config)",
                host.getMessage());
        ConfigException empty =
                assertThrows(ConfigException.class, () -> input(0, 1).instantiateAt("input"));
        assertEquals("input.source holds no examples", empty.getMessage());
        ConfigException fewer =
                assertThrows(
                        ConfigException.class,
                        () -> input(3, 1).hosts(3, 4).instantiateAt("input"));
        assertEquals(
                "input.source holds 3 examples, none for host 3 of 4"
                        + " (host i reads examples i, i + hostCount, ...)",
                fewer.getMessage());
    }
}
