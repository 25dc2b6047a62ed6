package io.axlearn.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.InputState;
import io.axlearn.core.ndarray.Engines;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointerTest {
    @TempDir Path dir;
    private NDManager manager;

    @BeforeEach
    void open() {
        Engines.pytorch();
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Checkpoint state(long step) {
        TreeMap<String, NDArray> params = new TreeMap<>();
        params.put("layer/weight", manager.arange(6f).reshape(2, 3).add(step));
        params.put("layer/bias", manager.create(new float[] {step, -step}));
        TreeMap<String, NDArray> opt = new TreeMap<>();
        opt.put("mu/layer/weight", manager.ones(new Shape(2, 3)).mul(step));
        return new Checkpoint(
                step,
                params,
                opt,
                CheckpointMetadata.of(4, 7, new InputState(1, 42, 9, List.of(3L), 5), "{}"));
    }

    /** A checkpointer whose saves are on disk when {@code save} returns. */
    private static Checkpointer.Config sync() {
        return Checkpointer.config().async(false);
    }

    @Test
    void asyncSave_writesACopyInTheBackground_asTheSynchronousSaveDoes() throws IOException {
        Checkpointer async = Checkpointer.config().instantiate();
        Checkpoint live = state(5);
        Path saved = async.save(dir.resolve("async"), live);
        // The caller may change and free its arrays at once: the writer holds copies.
        live.params().get("layer/weight").muli(0);
        live.close();
        Checkpointer.Written written = async.awaitWritten().orElseThrow();
        assertEquals(5, written.step());
        assertEquals(saved, written.dir());
        assertTrue(written.pauseMillis() >= 0 && written.writeMillis() > 0, written.toString());
        assertEquals(Optional.empty(), async.awaitWritten(), "reported once");
        sync().instantiate().save(dir.resolve("sync"), state(5));
        for (String file : List.of("params.safetensors", "optimizer.safetensors", "index.json")) {
            assertArrayEquals(
                    Files.readAllBytes(Checkpointer.stepDir(dir.resolve("sync"), 5).resolve(file)),
                    Files.readAllBytes(saved.resolve(file)),
                    file);
        }
        // The next save waits for the previous one; both are reported, oldest first.
        async.save(dir.resolve("async"), state(6));
        async.save(dir.resolve("async"), state(7));
        assertEquals(List.of(6L, 7L), async.drainWritten().stream().map(w -> w.step()).toList());
        assertEquals(List.of(5L, 6L, 7L), Checkpointer.completeSteps(dir.resolve("async")));
    }

    private static final Map<String, Shape> SHAPES =
            Map.of("layer/weight", new Shape(2, 3), "layer/bias", new Shape(2));

    @Test
    void saveThenRestore_roundTripsEverything() {
        Checkpointer ckpt = sync().instantiate();
        Path saved = ckpt.save(dir, state(5));
        assertEquals(Checkpointer.stepDir(dir, 5), saved);
        assertTrue(Files.exists(saved.resolve("index.json")));
        Checkpoint back = Checkpointer.restore(dir, 5, manager, SHAPES);
        assertEquals(5, back.step());
        assertArrayEquals(
                state(5).params().get("layer/weight").toFloatArray(),
                back.params().get("layer/weight").toFloatArray());
        assertArrayEquals(new float[] {5, -5}, back.params().get("layer/bias").toFloatArray());
        assertArrayEquals(
                state(5).optimizerState().get("mu/layer/weight").toFloatArray(),
                back.optimizerState().get("mu/layer/weight").toFloatArray());
        assertEquals(state(5).metadata(), back.metadata());
    }

    @Test
    void incompleteDirectories_areIgnored() throws IOException {
        Checkpointer ckpt = sync().instantiate();
        ckpt.save(dir, state(3));
        // A save killed before its index was written, and a temporary directory.
        Files.createDirectories(Checkpointer.stepDir(dir, 9));
        Files.writeString(Checkpointer.stepDir(dir, 9).resolve("params.safetensors"), "partial");
        Files.createDirectories(dir.resolve("checkpoints/.tmp_step_00000010_1"));
        assertEquals(List.of(3L), Checkpointer.completeSteps(dir));
        assertEquals(
                3,
                Checkpointer.restoreLatest(dir, manager, SHAPES, false, w -> {})
                        .orElseThrow()
                        .step());
    }

    @Test
    void keepPolicy_keepsNewestAndMultiples() {
        Checkpointer ckpt = sync().keepLast(2).keepEveryNSteps(4L).instantiate();
        for (long step = 1; step <= 9; step++) {
            ckpt.save(dir, state(step));
        }
        assertEquals(List.of(4L, 8L, 9L), Checkpointer.completeSteps(dir));
    }

    @Test
    void corruptNewest_isRefusedOrFallsBackWhenAsked() throws IOException {
        Checkpointer ckpt = sync().instantiate();
        ckpt.save(dir, state(1));
        ckpt.save(dir, state(2));
        Path params = Checkpointer.stepDir(dir, 2).resolve("params.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(params.toFile(), "rw")) {
            f.seek(f.length() - 1);
            int last = f.read();
            f.seek(f.length() - 1);
            f.write(last ^ 0x55);
        }
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> Checkpointer.restore(dir, 2, manager, SHAPES));
        assertEquals(
                "checkpoint "
                        + Checkpointer.stepDir(dir, 2)
                        + " is corrupt: params.safetensors does not match its SHA-256 in index.json",
                e.getMessage());
        List<String> warnings = new ArrayList<>();
        assertEquals(
                1,
                Checkpointer.restoreLatest(dir, manager, SHAPES, true, warnings::add)
                        .orElseThrow()
                        .step());
        assertEquals(1, warnings.size());
        assertThrows(
                CheckpointException.class,
                () -> Checkpointer.restoreLatest(dir, manager, SHAPES, false, w -> {}));
        try (RandomAccessFile f = new RandomAccessFile(params.toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }
        CheckpointException truncated =
                assertThrows(
                        CheckpointException.class,
                        () -> Checkpointer.restore(dir, 2, manager, SHAPES));
        assertTrue(
                truncated
                        .getMessage()
                        .endsWith(
                                "bytes, index.json says "
                                        + (Files.size(params) + 10)
                                        + " (truncated)"),
                truncated.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "\"step\" : 5|\"step\" : 12|index.json says step 12, its directory says 5",
                "\"step\" : 5|\"step\" : \"5\"|index.json needs an integer step, has \"5\"",
                "\"optimizerStep\" : 4,||index.json has no metadata.optimizerStep",
                "\"optimizerStep\" : 4|\"optimizerStep\" : \"x\"|index.json field"
                        + " metadata.optimizerStep is invalid: Cannot deserialize value of type"
                        + " `long` from String \"x\"",
                "\"input\" : {|\"input\" : 7, \"old\" : {|index.json field metadata.input is"
                        + " invalid",
            })
    void editedIndex_isRefusedNamingTheField(String from, String to, String message)
            throws IOException {
        sync().instantiate().save(dir, state(5));
        Path index = Checkpointer.stepDir(dir, 5).resolve("index.json");
        String text = Files.readString(index);
        assertTrue(text.contains(from), text);
        Files.writeString(index, text.replace(from, to == null ? "" : to));
        CheckpointException unsigned =
                assertThrows(
                        CheckpointException.class,
                        () -> Checkpointer.restore(dir, 5, manager, SHAPES));
        assertEquals(
                "checkpoint "
                        + Checkpointer.stepDir(dir, 5)
                        + " is corrupt: index.json does not match its SHA-256 in index.sha256",
                unsigned.getMessage());
        rehash(index); // an edit that also rewrites the checksum reaches the field checks
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> Checkpointer.restore(dir, 5, manager, SHAPES));
        String prefix = "checkpoint " + Checkpointer.stepDir(dir, 5) + " is corrupt: ";
        assertTrue(e.getMessage().startsWith(prefix + message), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** Rewrites {@code index.sha256} beside {@code index} to match it. */
    private static void rehash(Path index) throws IOException {
        try {
            byte[] digest =
                    java.security.MessageDigest.getInstance("SHA-256")
                            .digest(Files.readAllBytes(index));
            Files.writeString(
                    index.resolveSibling("index.sha256"),
                    java.util.HexFormat.of().formatHex(digest) + "  index.json\n");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void recover_removesLeftoversOfInterruptedSaves_andRestoresAnInterruptedReplace()
            throws IOException {
        Checkpointer ckpt = sync().instantiate();
        ckpt.save(dir, state(3));
        ckpt.save(dir, state(4));
        Path root = dir.resolve("checkpoints");
        Files.createDirectories(root.resolve(".tmp_step_00000005_77"));
        Files.writeString(root.resolve(".tmp_step_00000005_77/params.safetensors"), "partial");
        // A replace of step 4 killed between its two renames: only .old_ holds step 4.
        Files.move(Checkpointer.stepDir(dir, 4), root.resolve(".old_step_00000004"));
        List<String> lines = new ArrayList<>();
        Checkpointer.recover(dir, lines::add);
        assertEquals(2, lines.size(), lines.toString());
        assertFalse(Files.exists(root.resolve(".tmp_step_00000005_77")));
        assertFalse(Files.exists(root.resolve(".old_step_00000004")));
        assertEquals(List.of(3L, 4L), Checkpointer.completeSteps(dir));
        assertEquals(4, Checkpointer.restore(dir, 4, manager, SHAPES).step());
    }

    @Test
    void otherFormatVersion_isRefusedNamingBoth() throws IOException {
        sync().instantiate().save(dir, state(5));
        Path index = Checkpointer.stepDir(dir, 5).resolve("index.json");
        Files.writeString(index, Files.readString(index).replace("\"formatVersion\" : 2,", ""));
        rehash(index);
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> Checkpointer.restore(dir, 5, manager, SHAPES));
        assertEquals(
                "checkpoint "
                        + Checkpointer.stepDir(dir, 5)
                        + " has format version 1; this build reads version 2 only",
                e.getMessage());
    }

    @Test
    void wrongStructure_namesEveryDifference() {
        sync().instantiate().save(dir, state(1));
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () ->
                                Checkpointer.restore(
                                        dir,
                                        1,
                                        manager,
                                        Map.of(
                                                "layer/weight",
                                                new Shape(3, 3),
                                                "head/weight",
                                                new Shape(1))));
        assertEquals(
                "checkpoint "
                        + Checkpointer.stepDir(dir, 1)
                        + " does not fit the model: missing [head/weight]; unexpected [layer/bias];"
                        + " layer/weight is (2, 3), the model needs (3, 3)",
                e.getMessage());
    }

    @Test
    void missingCheckpoint_andBadConfig_areClearErrors() {
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> Checkpointer.restore(dir, 4, manager, null));
        assertEquals(
                "checkpoint "
                        + Checkpointer.stepDir(dir, 4)
                        + " is incomplete or missing (no index.json)",
                e.getMessage());
        ConfigException c =
                assertThrows(
                        ConfigException.class,
                        () -> Checkpointer.config().keepLast(0).instantiateAt("checkpointer"));
        assertEquals(
                "checkpointer.keepLast must be at least 1, got 0 (Checkpointer.Config)",
                c.getMessage());
    }

    @Test
    void maybeSave_firesEveryNStepsOrWhenForced() {
        Checkpointer ckpt = sync().everyNSteps(3).instantiate();
        List<Long> saved = new java.util.ArrayList<>();
        for (long step = 1; step <= 10; step++) {
            long s = step;
            ckpt.maybeSave(dir, step, step == 10, () -> state(s)).ifPresent(p -> saved.add(s));
        }
        assertEquals(List.of(3L, 6L, 9L, 10L), saved);
        assertEquals(List.of(6L, 9L, 10L), Checkpointer.completeSteps(dir));
    }
}
