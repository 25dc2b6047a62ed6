package io.axlearn.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.StepPolicy;
import io.axlearn.core.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Saves and restores {@link Checkpoint}s under {@code <trainerDir>/checkpoints/step_%08d/}.
 *
 * <p>A save writes {@code params.safetensors} and {@code optimizer.safetensors} into a temporary
 * directory, then {@code index.json} (step, metadata, every tensor's shape and dtype, each file's
 * size and SHA-256) and {@code index.sha256} (the index's own SHA-256) last, then renames the
 * directory into place atomically. Only directories with an index are complete, so a process killed
 * at any instant leaves the previous checkpoints intact. After a save, checkpoints beyond the
 * newest {@code keepLast} are deleted unless their step is a multiple of {@code keepEveryNSteps}.
 *
 * <p>A restore checks the index against its checksum, its format version, step and fields, the
 * files' sizes and checksums, and that the parameter paths and shapes are those the model expects;
 * a corrupt or truncated checkpoint is refused with a message naming it, and {@link #restoreLatest}
 * can fall back to the previous complete one.
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
    private static final String INDEX_SUM = "index.sha256";

    /** Config of {@link Checkpointer}. */
    public static final class Config extends InstantiableConfig<Config, Checkpointer> {
        /** When to save during training (a final save always happens at the last step). */
        private StepPolicy.EveryNSteps everyNSteps = StepPolicy.everyNSteps(1000);

        /** How many of the newest checkpoints to keep; must be at least 1. */
        private int keepLast = 3;

        /** Also keep every checkpoint whose step is a multiple of this; null keeps none extra. */
        private Long keepEveryNSteps;

        /**
         * Whether saves are written in the background: {@link #save} copies the arrays (a native
         * memory copy, the only pause of the step loop) and a writer thread writes them while
         * training goes on; the next save, and {@link #awaitWritten}, wait for it. Off: {@link
         * #save} returns when the checkpoint is on disk.
         */
        private boolean async = true;

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

        /** Sets whether saves are written in the background. */
        public Config async(boolean v) {
            return set(() -> async = v);
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

    /**
     * The background writer of every checkpointer of the process (one daemon thread, started by the
     * first asynchronous save): saves of different runs in one JVM take turns.
     */
    private static ExecutorService writer;

    /** The write in progress or finished but not yet awaited, or null. */
    private Future<Written> pending;

    /**
     * A checkpoint on disk.
     *
     * @param step its step
     * @param dir its directory
     * @param pauseMillis how long the step loop waited for the save (the copy, when asynchronous)
     * @param writeMillis how long writing took
     */
    public record Written(long step, Path dir, double pauseMillis, double writeMillis) {}

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

    /** The directory of the checkpoint of {@code step}. */
    public static Path stepDir(Path trainerDir, long step) {
        return trainerDir.resolve(DIR).resolve(String.format("step_%08d", step));
    }

    /**
     * Saves at {@code step} when the policy asks for it or {@code force} is set (the last step),
     * then deletes old checkpoints by the keep policy.
     *
     * @param trainerDir the run directory
     * @param step the step just completed
     * @param force save whatever the policy says
     * @param checkpoint builds what to save; called only when saving
     * @return the checkpoint directory, if one was written
     */
    public Optional<Path> maybeSave(
            Path trainerDir, long step, boolean force, Supplier<Checkpoint> checkpoint) {
        if (!force && !shouldSave(step)) {
            return Optional.empty();
        }
        return Optional.of(save(trainerDir, checkpoint.get()));
    }

    /** Whether the policy asks for a save after {@code step}. */
    public boolean shouldSave(long step) {
        return policy.test(step);
    }

    /**
     * Saves {@code checkpoint} (see {@link #write}), then deletes old checkpoints by the keep
     * policy. Asynchronous ({@code async}): waits for the previous save, copies the arrays and
     * returns while a writer thread writes the copies; {@link #awaitWritten} waits for it and
     * reports it. The caller keeps ownership of {@code checkpoint}'s arrays either way.
     *
     * @return the checkpoint directory (on disk once {@link #awaitWritten} returns)
     * @throws CheckpointException if this or, when asynchronous, the previous save failed
     */
    public Path save(Path trainerDir, Checkpoint checkpoint) {
        long t0 = System.nanoTime();
        Path target = stepDir(trainerDir, checkpoint.step());
        if (!cfg.async) {
            write(trainerDir, checkpoint);
            garbageCollect(trainerDir);
            double millis = (System.nanoTime() - t0) / 1e6;
            pending =
                    CompletableFuture.completedFuture(
                            new Written(checkpoint.step(), target, millis, millis));
            return target;
        }
        awaitWritten().ifPresent(unreported::add); // the next save waits for the previous one
        NDManager copies = io.axlearn.core.ndarray.Engines.pytorch().newBaseManager();
        Checkpoint copy;
        try {
            copy =
                    new Checkpoint(
                            checkpoint.step(),
                            copyAll(checkpoint.params(), copies),
                            copyAll(checkpoint.optimizerState(), copies),
                            checkpoint.metadata());
        } catch (RuntimeException e) {
            copies.close();
            throw e;
        }
        double pause = (System.nanoTime() - t0) / 1e6;
        ExecutorService writer = writer();
        pending =
                writer.submit(
                        () -> {
                            long w0 = System.nanoTime();
                            try (copies) {
                                write(trainerDir, copy);
                                garbageCollect(trainerDir);
                            }
                            return new Written(
                                    copy.step(), target, pause, (System.nanoTime() - w0) / 1e6);
                        });
        return target;
    }

    private static synchronized ExecutorService writer() {
        if (writer == null) {
            writer =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, "axlearn-checkpoint-writer");
                                t.setDaemon(true);
                                return t;
                            });
        }
        return writer;
    }

    /** Saves finished before {@link #save} awaited them, for {@link #drainWritten}. */
    private final List<Written> unreported = new ArrayList<>();

    /**
     * Waits for the save in progress, if any.
     *
     * @return the save that finished, if one had not been reported yet
     * @throws CheckpointException if it failed (its temporary files are already removed)
     */
    public Optional<Written> awaitWritten() {
        Future<Written> f = pending;
        if (f == null) {
            return Optional.empty();
        }
        pending = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return Optional.of(f.get());
                } catch (InterruptedException e) {
                    interrupted = true; // finish the write: a half-written save is of no use
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CheckpointException c) {
                throw c;
            }
            throw new CheckpointException(
                    "saving a checkpoint in the background failed: " + cause, cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for the save in progress and returns every save finished since the last call, oldest
     * first.
     */
    public List<Written> drainWritten() {
        Optional<Written> last = awaitWritten();
        List<Written> out = new ArrayList<>(unreported);
        unreported.clear();
        last.ifPresent(out::add);
        return out;
    }

    /** The saves finished since the last call, without waiting for one in progress. */
    public List<Written> pollWritten() {
        if (pending != null && pending.isDone()) {
            awaitWritten().ifPresent(unreported::add);
        }
        List<Written> out = new ArrayList<>(unreported);
        unreported.clear();
        return out;
    }

    private static SortedMap<String, NDArray> copyAll(
            Map<String, NDArray> arrays, NDManager manager) {
        SortedMap<String, NDArray> out = new TreeMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray copy = e.getValue().duplicate();
            copy.attach(manager);
            out.put(e.getKey(), copy);
        }
        return out;
    }

    /**
     * Writes {@code checkpoint} as the complete checkpoint of its step under {@code
     * <trainerDir>/checkpoints/}, atomically: the tensors into a temporary directory, then {@code
     * index.json}, then a rename. Replaces an existing checkpoint of the same step. Other tools use
     * this to seed a run: a run started in {@code trainerDir} resumes from the newest checkpoint
     * (one made by {@link Checkpoint#ofParams} starts its optimiser and input fresh).
     *
     * @return the checkpoint directory
     * @throws CheckpointException naming the directory if writing fails
     */
    public static Path write(Path trainerDir, Checkpoint checkpoint) {
        Path root = trainerDir.resolve(DIR);
        Path target = stepDir(trainerDir, checkpoint.step());
        Path tmp =
                root.resolve(".tmp_" + target.getFileName() + "_" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(root);
            deleteRecursively(tmp);
            Files.createDirectories(tmp);
            SafeTensors.write(tmp.resolve(PARAMS), checkpoint.params(), Map.of());
            SafeTensors.write(tmp.resolve(OPTIMIZER), checkpoint.optimizerState(), Map.of());
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("step", checkpoint.step());
            index.put("metadata", checkpoint.metadata());
            index.put(
                    "files",
                    Map.of(
                            PARAMS,
                            fileInfo(tmp.resolve(PARAMS)),
                            OPTIMIZER,
                            fileInfo(tmp.resolve(OPTIMIZER))));
            index.put("params", tensorInfo(checkpoint.params()));
            index.put("optimizer", tensorInfo(checkpoint.optimizerState()));
            Path indexFile = tmp.resolve(INDEX);
            writeDurably(indexFile, JSON.writeValueAsBytes(index));
            writeDurably(
                    tmp.resolve(INDEX_SUM),
                    (sha256(indexFile) + "  " + INDEX + "\n").getBytes(StandardCharsets.UTF_8));
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
            try {
                deleteRecursively(tmp); // a full disk stays full otherwise
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new CheckpointException(
                    "saving checkpoint " + target + " failed: " + e.getMessage(), e);
        }
        return target;
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Cleans up after saves that were killed or failed, for a run that holds the directory's lock:
     * deletes {@code .tmp_*} directories, and for an {@code .old_step_*} left by a replace that was
     * cut short, deletes it if its step directory is complete, or moves it back otherwise.
     *
     * @param trainerDir the run directory
     * @param report receives one line per directory removed or restored
     */
    public static void recover(Path trainerDir, Consumer<String> report) {
        Path root = trainerDir.resolve(DIR);
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (name.startsWith(".tmp_")) {
                    deleteRecursively(d);
                    report.accept("removed " + d + " left by an interrupted save");
                } else if (name.startsWith(".old_")) {
                    Path target = root.resolve(name.substring(".old_".length()));
                    if (Files.isRegularFile(target.resolve(INDEX))) {
                        deleteRecursively(d);
                    } else {
                        deleteRecursively(target);
                        Files.move(d, target, StandardCopyOption.ATOMIC_MOVE);
                        report.accept("restored " + target + " from an interrupted replace");
                    }
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cleaning up " + root + " failed: " + e.getMessage(), e);
        }
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename " + tmp + " atomically", e);
        }
    }

    /**
     * Moves the checkpoint of {@code step} out of the way of {@link #restoreLatest} without
     * deleting it: {@code step_N} becomes {@code step_N.diverged} (or {@code step_N.diverged.2},
     * ...), which no restore, recovery or clean-up reads. The trainer does this when the parameters
     * in that checkpoint gave a non-finite loss, so that a rerun resumes from a checkpoint that
     * trained.
     *
     * @return where the checkpoint now is
     * @throws CheckpointException if the rename fails
     */
    public static Path setAside(Path trainerDir, long step) {
        Path from = stepDir(trainerDir, step);
        Path to = from.resolveSibling(from.getFileName() + ".diverged");
        for (int i = 2; Files.exists(to); i++) {
            to = from.resolveSibling(from.getFileName() + ".diverged." + i);
        }
        try {
            moveIntoPlace(from, to);
        } catch (IOException e) {
            throw new CheckpointException("moving " + from + " aside failed: " + e.getMessage(), e);
        }
        return to;
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

    /** The tensor files' entries in {@code index.json}. */
    private record FileInfo(
            @JsonProperty(required = true) long bytes,
            @JsonProperty(required = true) String sha256) {}

    /**
     * Reads the checkpoint of {@code step} onto {@code manager}, checking its index (format
     * version, step, required fields), file sizes, checksums, and that its parameters have exactly
     * the {@code expectedShapes} (pass null to skip that check).
     *
     * @throws CheckpointException naming the directory if it is missing, corrupt or does not fit
     */
    public static Checkpoint restore(
            Path trainerDir, long step, NDManager manager, Map<String, Shape> expectedShapes) {
        Path dir = stepDir(trainerDir, step);
        Path indexFile = dir.resolve(INDEX);
        if (!Files.isRegularFile(indexFile)) {
            throw new CheckpointException(
                    "checkpoint " + dir + " is incomplete or missing (no " + INDEX + ")");
        }
        verifyIndex(dir, indexFile);
        JsonNode index;
        try {
            index = JSON.readTree(indexFile.toFile());
        } catch (IOException e) {
            throw new CheckpointException(
                    "checkpoint " + dir + " has an unreadable " + INDEX + ": " + e.getMessage(), e);
        }
        if (index == null || !index.isObject()) {
            throw corrupt(dir, INDEX + " is not a JSON object");
        }
        JsonNode version = index.path("metadata").path("formatVersion");
        int found = version.isInt() ? version.intValue() : 1;
        if (found != CheckpointMetadata.FORMAT_VERSION) {
            throw new CheckpointException(
                    "checkpoint "
                            + dir
                            + " has format version "
                            + found
                            + "; this build reads version "
                            + CheckpointMetadata.FORMAT_VERSION
                            + " only",
                    true);
        }
        JsonNode stepNode = index.get("step");
        if (stepNode == null || !stepNode.isIntegralNumber()) {
            throw corrupt(dir, INDEX + " needs an integer step, has " + stepNode);
        }
        if (stepNode.longValue() != step) {
            throw corrupt(
                    dir,
                    INDEX + " says step " + stepNode.longValue() + ", its directory says " + step);
        }
        CheckpointMetadata metadata = field(dir, index, "metadata", CheckpointMetadata.class);
        Map<String, FileInfo> files =
                field(dir, index, "files", new TypeReference<Map<String, FileInfo>>() {});
        for (String name : List.of(PARAMS, OPTIMIZER)) {
            verifyFile(dir, name, files.get(name));
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
        return new Checkpoint(step, params.tensors(), optimizer.tensors(), metadata);
    }

    /** Checks {@code index.json} against the SHA-256 that {@code index.sha256} holds. */
    private static void verifyIndex(Path dir, Path indexFile) {
        Path sumFile = dir.resolve(INDEX_SUM);
        try {
            if (!Files.isRegularFile(sumFile)) {
                throw corrupt(dir, "it has no " + INDEX_SUM + " protecting " + INDEX);
            }
            String expected = Files.readString(sumFile, StandardCharsets.UTF_8).strip();
            int space = expected.indexOf(' ');
            expected = space < 0 ? expected : expected.substring(0, space);
            if (!expected.equals(sha256(indexFile))) {
                throw corrupt(dir, INDEX + " does not match its SHA-256 in " + INDEX_SUM);
            }
        } catch (IOException e) {
            throw corrupt(dir, "cannot read " + INDEX + ": " + e.getMessage());
        }
    }

    private static CheckpointException corrupt(Path dir, String what) {
        return new CheckpointException("checkpoint " + dir + " is corrupt: " + what);
    }

    private static <T> T field(Path dir, JsonNode index, String name, Class<T> type) {
        return field(dir, index, name, JSON.getTypeFactory().constructType(type));
    }

    private static <T> T field(Path dir, JsonNode index, String name, TypeReference<T> type) {
        return field(dir, index, name, JSON.getTypeFactory().constructType(type));
    }

    private static <T> T field(Path dir, JsonNode index, String name, JavaType type) {
        JsonNode node = index.get(name);
        if (node == null || node.isNull()) {
            throw corrupt(dir, INDEX + " has no " + name);
        }
        try {
            return JSON.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String where = name;
            if (e instanceof JsonMappingException m) {
                for (JsonMappingException.Reference r : m.getPath()) {
                    where +=
                            r.getFieldName() != null
                                    ? "." + r.getFieldName()
                                    : "[" + r.getIndex() + "]";
                }
            }
            String why =
                    e instanceof JsonProcessingException j
                            ? j.getOriginalMessage()
                            : e.getMessage();
            if (why != null && why.startsWith("Missing required creator property")) {
                throw corrupt(dir, INDEX + " has no " + where);
            }
            throw corrupt(dir, INDEX + " field " + where + " is invalid: " + firstLine(why));
        }
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }

    /**
     * Restores the newest complete checkpoint, if any. With {@code fallBack}, a corrupt newest
     * checkpoint is reported through {@code warn} and the next older complete one is tried.
     *
     * @throws CheckpointException if the newest (or, with fallBack, every) checkpoint is unusable
     */
    public static Optional<Checkpoint> restoreLatest(
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

    private static FileInfo fileInfo(Path file) throws IOException {
        return new FileInfo(Files.size(file), sha256(file));
    }

    private static void verifyFile(Path dir, String name, FileInfo info) {
        Path file = dir.resolve(name);
        if (info == null) {
            throw new CheckpointException(
                    "checkpoint " + dir + " is corrupt: " + INDEX + " does not list " + name);
        }
        try {
            long size = Files.size(file);
            long expected = info.bytes();
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
            if (!sha256(file).equals(info.sha256())) {
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
