package io.axlearn.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.StepPolicy;
import io.axlearn.core.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Saves and restores {@link TrainState}s under {@code <trainerDir>/checkpoints/step_%08d/}.
 *
 * <p>A save writes {@code params.safetensors} and {@code optimizer.safetensors} into a temporary
 * directory, then {@code index.json} (step, metadata, every tensor's shape and dtype, each file's
 * size and SHA-256) last, then renames the directory into place atomically. Only directories with
 * an index are complete, so a process killed at any instant leaves the previous checkpoints intact.
 * After a save, checkpoints beyond the newest {@code keepLast} are deleted unless their step is a
 * multiple of {@code keepEveryNSteps}.
 *
 * <p>A restore checks sizes and checksums and that the parameter paths and shapes are those the
 * model expects; a corrupt or truncated checkpoint is refused with a message naming it, and {@link
 * #restoreLatest} can fall back to the previous complete one.
 */
public final class Checkpointer extends Configurable {
    /** Name of the checkpoints folder in a trainer directory. */
    public static final String DIR = "checkpoints";

    private static final Pattern STEP_DIR = Pattern.compile("step_(\\d{8,})");
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PARAMS = "params.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String INDEX = "index.json";

    /** Config of {@link Checkpointer}. */
    public static final class Config extends InstantiableConfig<Config, Checkpointer> {
        /** When to save during training (a final save always happens at the last step). */
        private StepPolicy.EveryNSteps everyNSteps = StepPolicy.everyNSteps(1000);

        /** How many of the newest checkpoints to keep; must be at least 1. */
        private int keepLast = 3;

        /** Also keep every checkpoint whose step is a multiple of this; null keeps none extra. */
        private Long keepEveryNSteps;

        /** Sets the save interval in steps. */
        public Config everyNSteps(long n) {
            return set(() -> everyNSteps = StepPolicy.everyNSteps(n));
        }

        /** Sets how many of the newest checkpoints to keep. */
        public Config keepLast(int v) {
            return set(() -> keepLast = v);
        }

        /** Sets the permanent-keep interval (null for none). */
        public Config keepEveryNSteps(Long v) {
            return set(() -> keepEveryNSteps = v);
        }

        @Override
        protected void validate() {
            if (keepLast < 1) {
                throw invalid("keepLast", "must be at least 1, got " + keepLast);
            }
            if (keepEveryNSteps != null && keepEveryNSteps <= 0) {
                throw invalid(
                        "keepEveryNSteps", "must be positive or null, got " + keepEveryNSteps);
            }
        }

        @Override
        protected Checkpointer create() {
            return new Checkpointer(this);
        }
    }

    /** A new config with the defaults. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final StepPolicy policy;

    private Checkpointer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        this.policy =
                cfg.everyNSteps.instantiateAt(
                        cfg.path().isEmpty() ? "everyNSteps" : cfg.path() + ".everyNSteps");
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /** Whether the policy asks for a save after {@code step}. */
    public boolean shouldSave(long step) {
        return policy.test(step);
    }

    /** The directory of the checkpoint of {@code step}. */
    public static Path stepDir(Path trainerDir, long step) {
        return trainerDir.resolve(DIR).resolve(String.format("step_%08d", step));
    }

    /**
     * Writes {@code state} as the checkpoint of {@code state.step()}, atomically, then deletes old
     * checkpoints by the keep policy. Replaces an existing checkpoint of the same step.
     *
     * @return the checkpoint directory
     */
    public Path save(Path trainerDir, TrainState state) {
        Path root = trainerDir.resolve(DIR);
        Path target = stepDir(trainerDir, state.step());
        Path tmp =
                root.resolve(".tmp_" + target.getFileName() + "_" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(root);
            deleteRecursively(tmp);
            Files.createDirectories(tmp);
            SafeTensors.write(tmp.resolve(PARAMS), state.params(), Map.of());
            SafeTensors.write(tmp.resolve(OPTIMIZER), state.optimizerState(), Map.of());
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("step", state.step());
            index.put("metadata", state.metadata());
            index.put(
                    "files",
                    Map.of(
                            PARAMS,
                            fileInfo(tmp.resolve(PARAMS)),
                            OPTIMIZER,
                            fileInfo(tmp.resolve(OPTIMIZER))));
            index.put("params", tensorInfo(state.params()));
            index.put("optimizer", tensorInfo(state.optimizerState()));
            Path indexFile = tmp.resolve(INDEX);
            Files.write(indexFile, JSON.writeValueAsBytes(index));
            try (var ch =
                    java.nio.channels.FileChannel.open(
                            indexFile, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            if (Files.exists(target)) {
                Path old = root.resolve(".old_" + target.getFileName());
                deleteRecursively(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                moveIntoPlace(tmp, target);
                deleteRecursively(old);
            } else {
                moveIntoPlace(tmp, target);
            }
        } catch (IOException e) {
            throw new CheckpointException(
                    "saving checkpoint " + target + " failed: " + e.getMessage(), e);
        }
        garbageCollect(trainerDir);
        return target;
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename " + tmp + " atomically", e);
        }
    }

    /** Steps of the complete checkpoints (those with an index) in {@code trainerDir}, ascending. */
    public static List<Long> completeSteps(Path trainerDir) {
        Path root = trainerDir.resolve(DIR);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Long> steps = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.forEach(
                    d -> {
                        Matcher m = STEP_DIR.matcher(d.getFileName().toString());
                        if (m.matches() && Files.isRegularFile(d.resolve(INDEX))) {
                            steps.add(Long.parseLong(m.group(1)));
                        }
                    });
        } catch (IOException e) {
            throw new CheckpointException("listing " + root + " failed: " + e.getMessage(), e);
        }
        steps.sort(null);
        return steps;
    }

    private void garbageCollect(Path trainerDir) {
        List<Long> steps = completeSteps(trainerDir);
        for (int i = 0; i < steps.size() - cfg.keepLast; i++) {
            long step = steps.get(i);
            if (cfg.keepEveryNSteps != null && step % cfg.keepEveryNSteps == 0) {
                continue;
            }
            try {
                Path dir = stepDir(trainerDir, step);
                // Remove the index first so a half-deleted directory never looks complete.
                Files.deleteIfExists(dir.resolve(INDEX));
                deleteRecursively(dir);
            } catch (IOException e) {
                throw new CheckpointException(
                        "deleting old checkpoint of step " + step + " failed: " + e.getMessage(),
                        e);
            }
        }
    }

    /**
     * Reads the checkpoint of {@code step} onto {@code manager}, checking file sizes, checksums and
     * that its parameters have exactly the {@code expectedShapes} (pass null to skip that check).
     *
     * @throws CheckpointException naming the directory if it is missing, corrupt or does not fit
     */
    public static TrainState restore(
            Path trainerDir, long step, NDManager manager, Map<String, Shape> expectedShapes) {
        Path dir = stepDir(trainerDir, step);
        Path indexFile = dir.resolve(INDEX);
        if (!Files.isRegularFile(indexFile)) {
            throw new CheckpointException(
                    "checkpoint " + dir + " is incomplete or missing (no " + INDEX + ")");
        }
        Map<String, Object> index;
        try {
            index = JSON.readValue(indexFile.toFile(), new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new CheckpointException(
                    "checkpoint " + dir + " has an unreadable " + INDEX + ": " + e.getMessage(), e);
        }
        @SuppressWarnings(
                "unchecked") // index.json's "files" is written by save() as a map of maps.
        Map<String, Map<String, Object>> files =
                (Map<String, Map<String, Object>>) index.get("files");
        for (String name : List.of(PARAMS, OPTIMIZER)) {
            verifyFile(dir, name, files == null ? null : files.get(name));
        }
        SafeTensors.Contents params;
        SafeTensors.Contents optimizer;
        try {
            params = SafeTensors.read(dir.resolve(PARAMS), manager);
            optimizer = SafeTensors.read(dir.resolve(OPTIMIZER), manager);
        } catch (IOException e) {
            throw new CheckpointException(
                    "checkpoint " + dir + " is corrupt: " + e.getMessage(), e);
        }
        if (expectedShapes != null) {
            checkStructure(dir, expectedShapes, params.tensors());
        }
        @SuppressWarnings("unchecked") // written by save() from a Map<String, Object>.
        Map<String, Object> metadata =
                (Map<String, Object>) index.getOrDefault("metadata", Map.of());
        long savedStep = ((Number) index.get("step")).longValue();
        return new TrainState(savedStep, params.tensors(), optimizer.tensors(), metadata);
    }

    /**
     * Restores the newest complete checkpoint, if any. With {@code fallBack}, a corrupt newest
     * checkpoint is reported through {@code warn} and the next older complete one is tried.
     *
     * @throws CheckpointException if the newest (or, with fallBack, every) checkpoint is unusable
     */
    public static Optional<TrainState> restoreLatest(
            Path trainerDir,
            NDManager manager,
            Map<String, Shape> expectedShapes,
            boolean fallBack,
            java.util.function.Consumer<String> warn) {
        List<Long> steps = completeSteps(trainerDir);
        CheckpointException first = null;
        for (int i = steps.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(restore(trainerDir, steps.get(i), manager, expectedShapes));
            } catch (CheckpointException e) {
                if (!fallBack || e.isMismatch()) {
                    throw e;
                }
                warn.accept(e.getMessage() + "; trying the previous checkpoint");
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw new CheckpointException(
                    "no usable checkpoint in "
                            + trainerDir.resolve(DIR)
                            + "; newest failed: "
                            + first.getMessage(),
                    first);
        }
        return Optional.empty();
    }

    private static void checkStructure(
            Path dir, Map<String, Shape> expected, SortedMap<String, NDArray> actual) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, Shape> e : new TreeMap<>(expected).entrySet()) {
            NDArray a = actual.get(e.getKey());
            if (a == null) {
                missing.add(e.getKey());
            } else if (!a.getShape().equals(e.getValue())) {
                wrongShape.add(
                        e.getKey() + " is " + a.getShape() + ", the model needs " + e.getValue());
            }
        }
        actual.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(unexpected::add);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrongShape.isEmpty()) {
            actual.values().forEach(NDArray::close);
            StringBuilder sb = new StringBuilder("checkpoint " + dir + " does not fit the model:");
            if (!missing.isEmpty()) {
                sb.append(" missing ").append(abbreviate(missing)).append(';');
            }
            if (!unexpected.isEmpty()) {
                sb.append(" unexpected ").append(abbreviate(unexpected)).append(';');
            }
            if (!wrongShape.isEmpty()) {
                List<String> shown = wrongShape.subList(0, Math.min(3, wrongShape.size()));
                sb.append(' ').append(String.join("; ", shown));
                if (wrongShape.size() > shown.size()) {
                    sb.append("; and ")
                            .append(wrongShape.size() - shown.size())
                            .append(" more of other shapes");
                }
                sb.append(';');
            }
            throw new CheckpointException(sb.substring(0, sb.length() - 1), true);
        }
    }

    private static String abbreviate(List<String> paths) {
        if (paths.size() <= 5) {
            return paths.toString();
        }
        return paths.subList(0, 5) + " and " + (paths.size() - 5) + " more";
    }

    private static Map<String, Object> fileInfo(Path file) throws IOException {
        return Map.of("bytes", Files.size(file), "sha256", sha256(file));
    }

    private static void verifyFile(Path dir, String name, Map<String, Object> info) {
        Path file = dir.resolve(name);
        if (info == null) {
            throw new CheckpointException(
                    "checkpoint " + dir + " is corrupt: " + INDEX + " does not list " + name);
        }
        try {
            long size = Files.size(file);
            long expected = ((Number) info.get("bytes")).longValue();
            if (size != expected) {
                throw new CheckpointException(
                        "checkpoint "
                                + dir
                                + " is corrupt: "
                                + name
                                + " has "
                                + size
                                + " bytes, "
                                + INDEX
                                + " says "
                                + expected
                                + (size < expected ? " (truncated)" : ""));
            }
            if (!sha256(file).equals(info.get("sha256"))) {
                throw new CheckpointException(
                        "checkpoint "
                                + dir
                                + " is corrupt: "
                                + name
                                + " does not match its SHA-256 in "
                                + INDEX);
            }
        } catch (IOException e) {
            throw new CheckpointException(
                    "checkpoint "
                            + dir
                            + " is corrupt: cannot read "
                            + name
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static Map<String, Object> tensorInfo(Map<String, NDArray> tensors) {
        Map<String, Object> out = new TreeMap<>();
        tensors.forEach(
                (k, v) ->
                        out.put(
                                k,
                                Map.of(
                                        "shape",
                                        v.getShape().getShape(),
                                        "dtype",
                                        v.getDataType().toString())));
        return out;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
