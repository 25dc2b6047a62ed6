package io.axlearn.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.metrics.WeightedScalar;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.core.ndarray.NDArrays;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.CheckpointException;
import io.axlearn.trainer.checkpoint.CheckpointMetadata;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.distributed.Collective;
import io.axlearn.trainer.distributed.DataParallel;
import io.axlearn.trainer.distributed.ParameterPartition;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.summary.SummaryWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Trains a model (axlearn's {@code SpmdTrainer}, on one device): restores the newest complete
 * checkpoint or initialises, then loops over steps — forward and backward in a sub-manager closed
 * with the step, the learner's update, summaries, evalers by their policies, checkpoints by policy
 * — and saves at the last step.
 *
 * <p>The run directory gets {@code config.json} and {@code config.txt}, {@code summaries/train} and
 * {@code summaries/<evaler>}, and {@code checkpoints/}. A run killed at any instant resumes from
 * the newest complete checkpoint and reproduces the losses of an uninterrupted run: the parameters,
 * optimiser state, input position and step are all in the checkpoint, and each step's randomness
 * derives from the seed and the step number.
 */
public final class Trainer extends Configurable {

    /** Config of {@link Trainer}: the stable command-line surface ({@code --set maxStep=...}). */
    public static final class Config extends InstantiableConfig<Config, Trainer> {
        /** The model. */
        @Required private BaseModel.Config<?, ?> model;

        /** The training input. */
        @Required private Input.Config input;

        /** Optimiser, schedule and clipping. */
        @Required private Learner.Config learner;

        /** When to save and what to keep. */
        private Checkpointer.Config checkpointer = Checkpointer.config();

        /** Evaluations by name, each with its own input and interval. */
        private Map<String, Evaler.Config> evalers = new LinkedHashMap<>();

        /** Write training summaries every this many steps. */
        private int summaryEveryNSteps = 10;

        /**
         * A training step (its batch and the train step) running longer than this many times the
         * median of the recent steps, and at least {@code watchdogMinSeconds}, gets one warning
         * with a dump of every thread while it runs; {@code 0} turns the watchdog off.
         */
        private double watchdogFactor = 10;

        /** The least time in seconds that makes a step slow for the watchdog. */
        private double watchdogMinSeconds = 60;

        /** Number of training steps. */
        @Required private Long maxStep;

        /** Seed of initialisation and of every step's randomness. */
        private long seed = 0;

        /** Device: {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto} (a GPU when present). */
        private String device = "cpu";

        /**
         * Gradient accumulation: forward/backward passes per step, each over {@code input.batchSize
         * / microBatches} examples; the update equals that of the whole batch (see {@link
         * TrainStep}). Must divide {@code input.batchSize}.
         */
        private int microBatches = 1;

        /**
         * Weights to start from instead of the initialisers (fine-tuning); {@code null} starts from
         * the initialisers. Ignored once the run has a checkpoint of its own: resuming wins.
         */
        private InitialWeights.Config initFrom;

        /**
         * Data parallel on several ranks: compare a parameter checksum across ranks every this many
         * steps (and at the last step), failing on every rank when the replicas differ; 0 never.
         */
        private int replicaCheckEveryNSteps = 100;

        /**
         * Data parallel on several ranks: gradients are all-reduced in flat buckets of about this
         * many bytes (25 MiB, as PyTorch DDP); a gradient larger than a bucket is reduced alone, in
         * place.
         */
        private long allReduceBucketBytes = DataParallel.DEFAULT_BUCKET_BYTES;

        /**
         * Data parallel on several ranks: shard the optimiser state (ZeRO stage 1, Rajbhandari et
         * al., <a href="https://arxiv.org/abs/1910.02054">arXiv:1910.02054</a>). Every trainable
         * parameter, whole, belongs to one rank ({@link
         * io.axlearn.trainer.distributed.ParameterPartition}: balanced greedily by size), which
         * alone keeps its optimiser state (Adam's two moments: twice the parameters' bytes) and
         * updates it; gradients are reduce-scattered instead of all-reduced, the gradient norm and
         * clipping use the global norm, and the updated parameters are all-gathered after the
         * update. Optimiser memory per rank falls to about {@code 1/N}, the losses stay those of an
         * unsharded run (to float rounding), and checkpoints keep the unsharded layout (rank 0
         * gathers the state to save it), so a run resumes on any number of ranks, sharded or not.
         * No effect on one process.
         */
        private boolean shardOptimizerState = false;

        public Config model(BaseModel.Config<?, ?> v) {
            return set(() -> model = v.copy());
        }

        public Config input(Input.Config v) {
            return set(() -> input = v.copy());
        }

        public Config learner(Learner.Config v) {
            return set(() -> learner = v.copy());
        }

        /** The learner's config ({@code null} until set); read it, do not change it. */
        public Learner.Config learner() {
            return learner;
        }

        public Config checkpointer(Checkpointer.Config v) {
            return set(() -> checkpointer = v.copy());
        }

        /** Adds or replaces the evaler {@code name}. */
        public Config evaler(String name, Evaler.Config v) {
            return set(
                    () -> {
                        Map<String, Evaler.Config> m = new LinkedHashMap<>(evalers);
                        m.put(name, v.copy());
                        evalers = m;
                    });
        }

        public Config summaryEveryNSteps(int v) {
            return set(() -> summaryEveryNSteps = v);
        }

        /** Sets the watchdog's factor over the median step time ({@code 0}: off). */
        public Config watchdogFactor(double v) {
            return set(() -> watchdogFactor = v);
        }

        /** Sets the watchdog's least slow-step time in seconds. */
        public Config watchdogMinSeconds(double v) {
            return set(() -> watchdogMinSeconds = v);
        }

        public Config maxStep(long v) {
            return set(() -> maxStep = v);
        }

        public Config seed(long v) {
            return set(() -> seed = v);
        }

        public Config device(String v) {
            return set(() -> device = v);
        }

        public Config microBatches(int v) {
            return set(() -> microBatches = v);
        }

        /** Sets the initial weights (copied; {@code null} for none). */
        public Config initFrom(InitialWeights.Config v) {
            return set(() -> initFrom = v == null ? null : v.copy());
        }

        public Config replicaCheckEveryNSteps(int v) {
            return set(() -> replicaCheckEveryNSteps = v);
        }

        public Config allReduceBucketBytes(long v) {
            return set(() -> allReduceBucketBytes = v);
        }

        /** Sets whether data-parallel ranks shard the optimiser state (ZeRO stage 1). */
        public Config shardOptimizerState(boolean v) {
            return set(() -> shardOptimizerState = v);
        }

        /** The number of training steps. */
        public Long maxStep() {
            return maxStep;
        }

        @Override
        protected void validate() {
            if (maxStep <= 0) {
                throw invalid("maxStep", "must be positive, got " + maxStep);
            }
            if (!(watchdogFactor >= 0) || Double.isInfinite(watchdogFactor)) {
                throw invalid("watchdogFactor", "must be finite and >= 0, got " + watchdogFactor);
            }
            if (!(watchdogMinSeconds >= 0) || Double.isInfinite(watchdogMinSeconds)) {
                throw invalid(
                        "watchdogMinSeconds", "must be finite and >= 0, got " + watchdogMinSeconds);
            }
            if (summaryEveryNSteps <= 0) {
                throw invalid("summaryEveryNSteps", "must be positive, got " + summaryEveryNSteps);
            }
            if (!device.matches("cpu|gpu|gpu:\\d+|auto")) {
                throw invalid("device", "must be cpu, gpu, gpu:N or auto, got " + device);
            }
            if (microBatches < 1) {
                throw invalid("microBatches", "must be at least 1, got " + microBatches);
            }
            if (replicaCheckEveryNSteps < 0) {
                throw invalid(
                        "replicaCheckEveryNSteps",
                        "must not be negative, got " + replicaCheckEveryNSteps);
            }
            if (allReduceBucketBytes < 4 || allReduceBucketBytes > Integer.MAX_VALUE) {
                throw invalid(
                        "allReduceBucketBytes",
                        "must be in [4, 2147483647], got " + allReduceBucketBytes);
            }
            Integer batchSize = input.batchSize();
            if (batchSize != null && batchSize % microBatches != 0) {
                throw invalid(
                        "microBatches",
                        "must divide input.batchSize=" + batchSize + ", got " + microBatches);
            }
        }

        @Override
        protected Trainer create() {
            return new Trainer(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    /**
     * What a run ended with.
     *
     * @param step the last step trained
     * @param loss the training loss of that step (NaN if the run started at maxStep)
     * @param evaluations the last results of each evaler, by evaler name
     */
    public record Result(
            long step, double loss, Map<String, Map<String, WeightedScalar>> evaluations) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config cfg;
    private final BaseModel model;
    private final Input input;
    private final Checkpointer checkpointer;
    private final Map<String, Evaler> evalers = new LinkedHashMap<>();
    private final InitialWeights initialWeights;
    private final Learner learner;
    private TrainStep trainStep;
    private Collective collective;

    /** The resolved config as JSON, for the run directory and every checkpoint's index. */
    private final String configJson;

    private PrintWriter out = new PrintWriter(System.out, true);
    private boolean terminal = System.console() != null;
    private StepListener listener;
    private volatile String stopReason;

    /** Data parallel: the optimiser-state bytes of the rank that holds the most. */
    private long largestOptimizerStateBytes;

    /** Called after every training step with the step's scalars (loss, learning rate, ...). */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param step the step just completed
         * @param scalars its scalars by name
         */
        void afterStep(long step, Map<String, Double> scalars);
    }

    /**
     * Sets the listener called after every step (monitoring, tests). With a listener, every step's
     * scalars are copied from the engine; without one, only summary steps' are.
     */
    public Trainer onStep(StepListener stepListener) {
        this.listener = stepListener;
        return this;
    }

    private Trainer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        this.model = cfg.model.instantiateAt(child("model"));
        this.input = cfg.input.instantiateAt(child("input"));
        this.learner = cfg.learner.instantiateAt(child("learner"));
        this.checkpointer = cfg.checkpointer.instantiateAt(child("checkpointer"));
        this.initialWeights =
                cfg.initFrom == null ? null : cfg.initFrom.instantiateAt(child("initFrom"));
        this.trainStep = new TrainStep(model, learner, cfg.seed, cfg.microBatches);
        this.configJson = ConfigJson.toJson(cfg);
        cfg.evalers.forEach(
                (name, e) ->
                        evalers.put(name, e.instantiateAt(child("evalers") + "[" + name + "]")));
    }

    private String child(String field) {
        return ConfigPath.child(cfg.path(), field);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /** The model being trained. */
    public BaseModel model() {
        return model;
    }

    /** The training input. */
    public Input input() {
        return input;
    }

    /**
     * Runs on {@code ranks} (data parallel when it has several) instead of the collective the
     * process was launched into ({@link Collective#fromEnvironment()}, the default).
     */
    public Trainer collective(Collective ranks) {
        this.collective = ranks;
        return this;
    }

    /** The train step every step of {@link #run} goes through. */
    public TrainStep trainStep() {
        return trainStep;
    }

    /**
     * Sends progress lines to {@code writer} instead of standard output.
     *
     * @param writer where progress and messages go
     * @param isTerminal whether to redraw one progress line in place (true) or print plain lines
     */
    public Trainer progressTo(PrintWriter writer, boolean isTerminal) {
        this.out = writer;
        this.terminal = isTerminal;
        return this;
    }

    /** Parameter shapes by path, as checkpoints must have them. */
    private Map<String, Shape> shapes() {
        Map<String, Shape> shapes = new TreeMap<>();
        model.paramSpecs().forEach((path, spec) -> shapes.put(path, spec.shape()));
        return shapes;
    }

    private Device device() {
        if (cfg.device.equals("cpu")) {
            return Device.cpu();
        }
        int gpus = Engines.pytorch().getGpuCount();
        if (cfg.device.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        int index = cfg.device.equals("gpu") ? 0 : Integer.parseInt(cfg.device.substring(4));
        if (index >= gpus) {
            throw new ConfigException(
                    "device="
                            + cfg.device
                            + ": the PyTorch engine sees "
                            + (gpus == 0
                                    ? "no GPU (CPU natives, or no CUDA device)"
                                    : gpus + " GPUs")
                            + "; use device=cpu or device=auto");
        }
        return Device.gpu(index);
    }

    /**
     * Trains in {@code trainerDir}: restores its newest complete checkpoint, else initialises (from
     * {@code initFrom} when set); then for each step: the train step, maybe evaluate, maybe save; a
     * final save at {@code maxStep}.
     *
     * @throws TrainingDivergedException if the loss or gradient norm becomes NaN or infinite
     *     (checkpoints stay)
     */
    public Result run(Path trainerDir) {
        checkIsDirectory(trainerDir);
        if (collective == null) {
            collective = Collective.fromEnvironment();
        }
        if (collective.size() == 1) {
            return runOn(trainerDir, null, input);
        }
        // Data parallel: rank r reads examples r, r + N, ... of the input (its batchSize examples
        // per step), every rank restores, only rank 0 writes to the run directory.
        DataParallel dataParallel =
                cfg.shardOptimizerState
                        ? DataParallel.sharded(
                                collective, cfg.allReduceBucketBytes, partition(collective.size()))
                        : new DataParallel(collective, cfg.allReduceBucketBytes);
        trainStep = new TrainStep(model, learner, cfg.seed, cfg.microBatches, dataParallel);
        Input shard =
                cfg.input
                        .copy()
                        .hosts(collective.rank(), collective.size())
                        .instantiateAt(child("input"));
        if (collective.rank() != 0) {
            out = new PrintWriter(java.io.Writer.nullWriter());
            terminal = false;
        }
        return runOn(trainerDir, dataParallel, shard);
    }

    private boolean writes() {
        return collective == null || collective.rank() == 0;
    }

    /** The trainable parameters balanced over {@code ranks} by their bytes. */
    private ParameterPartition partition(int ranks) {
        SortedMap<String, Long> sizes = new TreeMap<>();
        learner.effectiveSpecs(model.paramSpecs())
                .forEach(
                        (path, spec) -> {
                            if (spec.trainable()) {
                                sizes.put(
                                        path,
                                        spec.shape().size() * (long) spec.dtype().getNumOfBytes());
                            }
                        });
        return ParameterPartition.balanced(sizes, ranks);
    }

    /**
     * Whether this process writes the run directory and prints progress: one process, or rank 0 of
     * several.
     */
    public boolean leader() {
        return writes();
    }

    private Result runOn(Path trainerDir, DataParallel dataParallel, Input shard) {
        Engine engine = Engines.pytorch();
        Device device = device();
        try (RunLock lock = writes() ? RunLock.acquire(trainerDir) : null;
                NDManager root = NDManager.newBaseManager(device, engine.getEngineName())) {
            if (writes()) {
                Checkpointer.recover(trainerDir, out::println);
            }
            if (dataParallel != null) {
                dataParallel.collective().barrier(); // rank 0 has cleaned up: all may restore
            }
            TrainerState state = restoreOrInit(trainerDir, root, dataParallel);
            if (dataParallel != null) {
                agreeOnStart(dataParallel, state);
            }
            if (writes()) {
                writeConfig(trainerDir);
            }
            return loop(trainerDir, root, state, dataParallel, shard);
        }
    }

    /**
     * Checks every rank restored the same step, then gives every rank rank 0's parameters and
     * optimiser state (equal already when restored or initialised from the seed; this also covers
     * initial weights read on one rank only).
     */
    private void agreeOnStart(DataParallel dataParallel, TrainerState state) {
        Collective ranks = dataParallel.collective();
        java.nio.ByteBuffer mine =
                java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
        mine.putLong(0, state.step());
        java.nio.ByteBuffer all =
                java.nio.ByteBuffer.allocateDirect(8 * ranks.size())
                        .order(java.nio.ByteOrder.nativeOrder());
        ranks.allGather(mine, all);
        for (int r = 0; r < ranks.size(); r++) {
            if (all.getLong(8 * r) != state.step()) {
                throw new CheckpointException(
                        "rank "
                                + r
                                + " restored step "
                                + all.getLong(8 * r)
                                + " but rank "
                                + ranks.rank()
                                + " step "
                                + state.step()
                                + ": every rank must see the same trainer directory (a shared"
                                + " file system)");
            }
        }
        dataParallel.broadcast(new TreeMap<>(state.params().asMap()));
        if (!dataParallel.isSharded()) {
            dataParallel.broadcast(state.optimizer().arrays());
        }
        long[] stateBytes = dataParallel.gatherLongs(bytes(state.optimizer().arrays().values()));
        long total = 0;
        List<String> perRank = new ArrayList<>();
        for (long b : stateBytes) {
            total += b;
            largestOptimizerStateBytes = Math.max(largestOptimizerStateBytes, b);
            perRank.add(String.format(Locale.ROOT, "%.2f", b / 1e6));
        }
        out.println(
                dataParallel.isSharded()
                        ? String.format(
                                Locale.ROOT,
                                "optimizer state sharded over %d ranks: %s MB per rank (%.2f MB"
                                        + " unsharded)",
                                ranks.size(),
                                String.join(", ", perRank),
                                total / 1e6)
                        : String.format(
                                Locale.ROOT,
                                "optimizer state: %s MB on each of %d ranks",
                                perRank.get(0),
                                ranks.size()));
    }

    private static long bytes(Collection<NDArray> arrays) {
        long total = 0;
        for (NDArray a : arrays) {
            total += a.getShape().size() * a.getDataType().getNumOfBytes();
        }
        return total;
    }

    /**
     * Asks a running {@link #run} to stop after the step in progress: it saves a checkpoint of that
     * step (unless it has just saved one) and throws {@link TrainingStoppedException}. Safe to call
     * from any thread, a signal handler included.
     *
     * @param reason what asked (e.g. {@code SIGTERM}), for the message
     */
    public void requestStop(String reason) {
        stopReason = reason;
    }

    private static void checkIsDirectory(Path trainerDir) {
        if (Files.exists(trainerDir) && !Files.isDirectory(trainerDir)) {
            throw new ConfigException(
                    "trainer directory " + trainerDir + " is a file, not a directory");
        }
    }

    /**
     * Evaluates the newest usable checkpoint in {@code trainerDir} with every evaler (falling back
     * to older ones, with a warning, if the newest is corrupt).
     *
     * @return the checkpoint's step and the results by evaler name
     * @throws CheckpointException if there is no usable checkpoint
     */
    public Result evaluate(Path trainerDir) {
        checkIsDirectory(trainerDir);
        Engine engine = Engines.pytorch();
        try (NDManager root = NDManager.newBaseManager(device(), engine.getEngineName())) {
            Checkpoint c =
                    Checkpointer.restoreLatest(trainerDir, root, shapes(), true, this::warn)
                            .orElseThrow(
                                    () ->
                                            new CheckpointException(
                                                    "no checkpoint in "
                                                            + trainerDir.resolve(Checkpointer.DIR)
                                                            + " to evaluate"));
            ParamTree params = ParamTree.of(c.params());
            Map<String, Map<String, WeightedScalar>> evaluations = new LinkedHashMap<>();
            evalers.forEach(
                    (name, evaler) -> evaluations.put(name, evaler.evaluate(model, params, root)));
            return new Result(c.step(), Double.NaN, evaluations);
        }
    }

    private void warn(String message) {
        out.println("warning: " + message);
    }

    /**
     * The newest checkpoint's state, else a fresh one (from {@code initFrom} when set). Every rank
     * reads the whole checkpoint; with a sharded optimiser each keeps the state of its own
     * parameters, whatever number of ranks saved it.
     */
    private TrainerState restoreOrInit(Path trainerDir, NDManager root, DataParallel dataParallel) {
        TrainerState fresh = trainStep.init(root, InputState.start(cfg.input.seed()));
        Optional<Checkpoint> restored =
                Checkpointer.restoreLatest(trainerDir, root, shapes(), true, this::warn);
        if (restored.isEmpty()) {
            if (initialWeights != null) {
                out.println(initialWeights.loadInto(fresh.params(), model.paramSpecs(), root));
            }
            return fresh;
        }
        Checkpoint c = restored.get();
        try {
            checkSameModel(c);
            copyInto(fresh.params().asMap(), c.params(), "parameter");
            InputState inputState = fresh.input();
            if (c.hasOptimizerState()) {
                if (dataParallel != null && dataParallel.isSharded()) {
                    copyShardInto(fresh.optimizer().arrays(), c.optimizerState(), dataParallel);
                } else {
                    copyInto(fresh.optimizer().arrays(), c.optimizerState(), "optimizer state");
                }
                fresh.optimizer().restoreStep(c.metadata().optimizerStep());
            } else {
                out.println(
                        "checkpoint step "
                                + c.step()
                                + " holds parameters only: the optimizer starts fresh");
            }
            if (c.metadata().input() != null) {
                inputState = inputForThisRank(c.metadata());
            }
            out.println("resumed from checkpoint step " + c.step() + " in " + trainerDir);
            return new TrainerState(c.step(), fresh.params(), fresh.optimizer(), inputState);
        } finally {
            c.close();
        }
    }

    /**
     * Refuses to resume with a model config other than the checkpoint's, even where the parameter
     * shapes happen to match (4 heads to 8). Everything outside {@code model} may change on resume:
     * maxStep, evalers, summaries, the checkpoint policy, the learner (its schedule included), the
     * input.
     */
    private void checkSameModel(Checkpoint c) {
        if (c.metadata().config() == null) {
            return;
        }
        Map<String, String> then;
        try {
            then = flatten(JSON.readTree(c.metadata().config()).path("model"));
        } catch (IOException e) {
            throw new CheckpointException(
                    "checkpoint step " + c.step() + " has an unreadable config: " + e.getMessage());
        }
        Map<String, String> now;
        try {
            now = flatten(JSON.readTree(configJson).path("model"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> differences = new ArrayList<>();
        SortedSet<String> keys = new TreeSet<>(then.keySet());
        keys.addAll(now.keySet());
        for (String k : keys) {
            if (!java.util.Objects.equals(then.get(k), now.get(k))) {
                differences.add(
                        "model"
                                + k
                                + " was "
                                + then.getOrDefault(k, "unset")
                                + ", is "
                                + now.getOrDefault(k, "unset"));
            }
        }
        if (!differences.isEmpty()) {
            throw new CheckpointException(
                    "checkpoint step "
                            + c.step()
                            + " was trained with another model config: "
                            + String.join(
                                    "; ", differences.subList(0, Math.min(5, differences.size())))
                            + (differences.size() > 5
                                    ? "; and " + (differences.size() - 5) + " more"
                                    : "")
                            + ". Resume with its model config, or train in a new directory (initFrom"
                            + " loads its weights)",
                    true);
        }
    }

    /** {@code .a.b[0].c} paths to JSON values of a config tree. */
    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(e -> flatten(prefix + "." + e.getKey(), e.getValue(), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), out);
            }
        } else if (!node.isMissingNode()) {
            out.put(prefix, node.toString());
        }
    }

    private Result loop(
            Path dir, NDManager root, TrainerState state, DataParallel dataParallel, Input shard) {
        long start = state.step();
        Map<String, Map<String, WeightedScalar>> evaluations = new LinkedHashMap<>();
        double lastLoss = Double.NaN;
        long lastSaved = start;
        Progress progress = new Progress(out, terminal, start, cfg.maxStep, cfg.summaryEveryNSteps);
        List<Evaler.Run> evalRuns = new ArrayList<>();
        try (SummaryWriter trainWriter = writes() ? new SummaryWriter(dir, "train") : null;
                Input.BatchIterator batches = shard.iterator(state.input());
                StepWatchdog watchdog =
                        new StepWatchdog(
                                cfg.watchdogFactor, cfg.watchdogMinSeconds, progress::message)) {
            if (writes()) {
                // Evaluation runs on rank 0 alone, over the whole evaluation input.
                evalers.forEach((name, evaler) -> evalRuns.add(evaler.start(dir, name)));
            }
            long windowStart = System.nanoTime();
            long windowFromStep = start;
            long windowReduceNanos = 0;
            long loopStart = System.nanoTime();
            while (state.step() < cfg.maxStep) {
                watchdog.started(state.step() + 1);
                Batch batch = batches.next();
                long step = state.step() + 1;
                boolean last = step == cfg.maxStep;
                boolean summarise = step % cfg.summaryEveryNSteps == 0 || last;
                try (TrainStep.Output output = trainStep.apply(state, batch)) {
                    state = output.state();
                    Map<String, Double> scalars =
                            summarise || listener != null ? output.scalars() : null;
                    if (scalars != null) {
                        lastLoss = scalars.get("loss");
                    }
                    if (listener != null) {
                        listener.afterStep(step, scalars);
                    }
                    watchdog.finished();
                    if (summarise && trainWriter != null) {
                        long now = System.nanoTime();
                        scalars.put(
                                "steps_per_second",
                                (step - windowFromStep) / ((now - windowStart) / 1e9));
                        scalars.put("goodput", watchdog.stepSeconds() / ((now - loopStart) / 1e9));
                        if (dataParallel != null) {
                            // Rank 0's time scaling and all-reducing gradients, per step.
                            long reduce = dataParallel.reduceNanos();
                            scalars.put(
                                    "all_reduce_seconds",
                                    (reduce - windowReduceNanos) / 1e9 / (step - windowFromStep));
                            windowReduceNanos = reduce;
                            scalars.put(
                                    "all_reduce_bytes",
                                    (double) dataParallel.reducedBytes() / (step - start));
                            scalars.put(
                                    "optimizer_state_bytes", (double) largestOptimizerStateBytes);
                        }
                        trainWriter.write(step, scalars);
                        windowStart = now;
                        windowFromStep = step;
                    }
                } catch (TrainingDivergedException e) {
                    report(progress, checkpointer.drainWritten());
                    throw new TrainingDivergedException(
                            e.getMessage()
                                    + (writes()
                                            ? setAsideDiverged(dir, step, lastSaved)
                                            : lastGood(lastSaved)),
                            e.step());
                }
                if (dataParallel != null
                        && cfg.replicaCheckEveryNSteps > 0
                        && (step % cfg.replicaCheckEveryNSteps == 0 || last)) {
                    dataParallel.checkReplicasAgree(new TreeMap<>(state.params().asMap()), step);
                }
                progress.update(step, lastLoss, batch.size());
                for (Evaler.Run run : evalRuns) {
                    TrainerState now = state;
                    run.maybeEvaluate(step, last, model, now.params(), root)
                            .ifPresent(
                                    r -> {
                                        evaluations.put(run.name(), r);
                                        progress.message(
                                                String.format(
                                                        Locale.ROOT,
                                                        "step %d eval %s: %s",
                                                        step,
                                                        run.name(),
                                                        Evaler.means(r)));
                                    });
                }
                TrainerState toSave = state;
                long lastGoodBefore = lastSaved;
                Optional<Path> saved = Optional.empty();
                if (last || checkpointer.shouldSave(step)) {
                    saved = save(dir, root, toSave, lastGoodBefore, dataParallel);
                    lastSaved = step; // by rank 0, for every rank
                }
                if (saved.isPresent()) {
                    // A full collection at each save (every few hundred steps; tens of
                    // milliseconds for a training driver's small live heap) lets the serial
                    // collector give back the old generation that garbage promoted between saves
                    // and frees the direct buffers of spent batches: resident memory stays flat.
                    System.gc();
                }
                report(progress, last ? checkpointer.drainWritten() : checkpointer.pollWritten());
                String reason = stopReason;
                if (dataParallel != null && !last && dataParallel.anyRank(reason != null)) {
                    // A signal that reached some ranks stops them all after the same step.
                    reason = reason == null ? "another rank's stop request" : reason;
                } else if (dataParallel != null) {
                    reason = null;
                }
                if (reason != null && !last) {
                    if (lastSaved != step) {
                        save(dir, root, toSave, lastGoodBefore, dataParallel);
                    }
                    report(progress, checkpointer.drainWritten());
                    if (dataParallel != null) {
                        // No rank leaves before rank 0's checkpoint is complete: a stopped rank
                        // exits non-zero, which aborts MPI and may kill rank 0 mid-write.
                        collective.barrier();
                    }
                    throw new TrainingStoppedException(
                            reason
                                    + ": saved checkpoint step "
                                    + step
                                    + " in "
                                    + dir
                                    + "; run the same command to resume",
                            reason,
                            step);
                }
            }
        } catch (RuntimeException | Error e) {
            try {
                report(progress, checkpointer.drainWritten()); // finish a save in progress
            } catch (RuntimeException failed) {
                e.addSuppressed(failed);
            }
            throw e;
        } finally {
            evalRuns.forEach(Evaler.Run::close);
        }
        return new Result(Math.max(start, cfg.maxStep), lastLoss, evaluations);
    }

    /**
     * Saves a checkpoint of {@code state} from rank 0 (or the one process). Every rank must call it
     * at the same steps: with a sharded optimiser the ranks first gather the whole optimiser state
     * onto rank 0, so the checkpoint has the layout of an unsharded run.
     *
     * @return the checkpoint directory on the rank that wrote it
     */
    private Optional<Path> save(
            Path dir,
            NDManager root,
            TrainerState state,
            long lastGood,
            DataParallel dataParallel) {
        List<InputState> inputs =
                dataParallel == null
                        ? List.of(state.input())
                        : inputOfEveryRank(dataParallel, state.input());
        if (dataParallel == null || !dataParallel.isSharded()) {
            return writes()
                    ? Optional.of(
                            checkpointer.save(
                                    dir,
                                    checkpointOf(
                                            state, state.optimizer().arrays(), inputs, lastGood)))
                    : Optional.empty();
        }
        try (NDManager gathered = root.newSubManager()) {
            SortedMap<String, NDArray> optimizer =
                    dataParallel.gatherOptimizerState(
                            state.optimizer().arrays(),
                            learner.optimizer().slots(),
                            new TreeMap<>(state.params().asMap()),
                            gathered);
            // The checkpointer copies the arrays (or writes them) before save returns.
            return writes()
                    ? Optional.of(
                            checkpointer.save(
                                    dir, checkpointOf(state, optimizer, inputs, lastGood)))
                    : Optional.empty();
        }
    }

    /** Every rank's input position, rank {@code r}'s at index {@code r} (as JSON on the wire). */
    private static List<InputState> inputOfEveryRank(DataParallel dataParallel, InputState mine) {
        try {
            List<InputState> all = new ArrayList<>();
            for (byte[] json : dataParallel.gatherBytes(JSON.writeValueAsBytes(mine))) {
                all.add(JSON.readValue(json, InputState.class));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot exchange the ranks' input positions", e);
        }
    }

    /** One line per finished checkpoint save. */
    private static void report(Progress progress, List<Checkpointer.Written> written) {
        for (Checkpointer.Written w : written) {
            progress.message(
                    String.format(
                            Locale.ROOT,
                            "saved checkpoint step %d in %.0f ms (the step loop paused %.0f ms)",
                            w.step(),
                            w.writeMillis(),
                            w.pauseMillis()));
        }
    }

    /**
     * Where to resume after step {@code step} diverged. A checkpoint of step {@code step - 1} holds
     * exactly the parameters whose loss or gradient was not finite (they may be finite but huge,
     * such as 1e28 after a blown-up update): it is moved aside, and the last good checkpoint is the
     * newest one before it, whose next step trained finitely.
     */
    private static String setAsideDiverged(Path dir, long step, long lastSaved) {
        if (lastSaved <= 0 || lastSaved != step - 1) {
            return lastGood(lastSaved);
        }
        Path moved = Checkpointer.setAside(dir, lastSaved);
        List<Long> kept = Checkpointer.completeSteps(dir);
        long good = kept.isEmpty() ? 0 : kept.get(kept.size() - 1);
        return "; checkpoint step "
                + lastSaved
                + " holds the parameters that gave it and was moved to "
                + moved
                + (good > 0
                        ? "; the last good checkpoint is step " + good
                        : "; no checkpoint before it is kept");
    }

    private static String lastGood(long lastSaved) {
        return lastSaved > 0
                ? "; the last good checkpoint is step " + lastSaved
                : "; no checkpoint was saved yet";
    }

    /**
     * What a checkpoint of {@code state} holds. Refuses non-finite parameters: a checkpoint is only
     * ever written with finite values.
     */
    private Checkpoint checkpointOf(
            TrainerState state,
            SortedMap<String, NDArray> optimizer,
            List<InputState> inputs,
            long lastSaved) {
        for (Map.Entry<String, NDArray> p : state.params().asMap().entrySet()) {
            try (NDManager check = p.getValue().getManager().newSubManager()) {
                NDArray a = p.getValue();
                check.tempAttachAll(a);
                if (a.isNaN().logicalOr(a.isInfinite()).any().getBoolean()) {
                    throw new TrainingDivergedException(
                            "parameter "
                                    + p.getKey()
                                    + " is not finite after step "
                                    + state.step()
                                    + "; not saved"
                                    + lastGood(lastSaved),
                            state.step());
                }
            }
        }
        CheckpointMetadata metadata =
                CheckpointMetadata.of(state.optimizer().step(), cfg.seed, state.input(), configJson)
                        .withRankInputs(inputs);
        return new Checkpoint(state.step(), state.params().asMap(), optimizer, metadata);
    }

    /**
     * Copies this rank's share of a whole optimiser state (as an unsharded run, or rank 0 of a
     * sharded one, saves it) into {@code shard}, after checking the checkpoint holds exactly the
     * slots of every trainable parameter.
     */
    private void copyShardInto(
            Map<String, NDArray> shard, Map<String, NDArray> saved, DataParallel dataParallel) {
        SortedSet<String> expected = new TreeSet<>();
        for (String path : dataParallel.partition().orElseThrow().owners().keySet()) {
            for (String slot : learner.optimizer().slots()) {
                expected.add(slot + "/" + path);
            }
        }
        if (!expected.equals(new TreeSet<>(saved.keySet()))) {
            throw new CheckpointException(
                    "checkpoint optimizer state paths differ from the model's: has "
                            + saved.keySet()
                            + ", needs "
                            + expected);
        }
        shard.forEach((name, target) -> NDArrays.copyValues(saved.get(name), target));
    }

    /**
     * This rank's input position from a checkpoint's positions of every rank that saved it (see
     * {@link InputPositions}): its own when as many ranks read the input now as then, else the
     * examples of the epoch already consumed stay consumed. A data-parallel checkpoint written
     * before {@code rankInputs} existed resumes as if one process had saved it.
     */
    private InputState inputForThisRank(CheckpointMetadata metadata) {
        List<InputState> saved = metadata.inputOfEveryRank();
        int now = collective == null ? 1 : collective.size();
        if (saved.size() != now && writes()) {
            out.println(
                    String.format(
                            Locale.ROOT,
                            "input position: %d rank(s) had read %d examples of epoch %d; %d"
                                    + " rank(s) continue after them",
                            saved.size(),
                            InputPositions.read(saved),
                            saved.get(0).epoch(),
                            now));
        }
        return InputPositions.forRank(saved, collective == null ? 0 : collective.rank(), now);
    }

    private static void copyInto(
            Map<String, NDArray> targets, Map<String, NDArray> sources, String what) {
        if (!targets.keySet().equals(sources.keySet())) {
            throw new CheckpointException(
                    "checkpoint "
                            + what
                            + " paths differ from the model's: has "
                            + sources.keySet()
                            + ", needs "
                            + targets.keySet());
        }
        targets.forEach((path, target) -> NDArrays.copyValues(sources.get(path), target));
    }

    private void writeConfig(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), configJson + "\n");
            Files.writeString(dir.resolve("config.txt"), cfg + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the config into " + dir + ": " + e.getMessage(), e);
        }
    }
}
