package io.axlearn.core.input;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An input pipeline: source, then processors, then a seeded shuffle buffer, then batching, then
 * prefetching on a background thread (axlearn's {@code Input}: {@code batcher(processor(source))}).
 *
 * <p>Training inputs repeat the source forever (epoch after epoch) and shuffle; evaluation inputs
 * read this host's share once, in order, and pad the last batch with zero examples of weight 0.
 * Each host reads the examples whose index is {@code hostIndex} modulo {@code hostCount}.
 *
 * <p>Everything is determined by the config and the seed. Each batch carries the {@link InputState}
 * after it; starting an iterator from that state continues with exactly the batches an
 * uninterrupted run would have produced.
 */
public final class Input extends Configurable {

    /** Config of {@link Input}. */
    public static final class Config extends InstantiableConfig<Config, Input> {
        /** Where examples come from. */
        @Required private ExampleSource.Config<?> source;

        /** Applied to each example in order, after the source. */
        private List<Processor.Config<?>> processors = new ArrayList<>();

        /** Examples per batch on this host. */
        @Required private Integer batchSize;

        /** Training (repeat and shuffle) or evaluation (one pass, padded). */
        private boolean training = true;

        /** Size of the shuffle buffer in examples; 0 reads in source order. Training only. */
        private int shuffleBufferSize = 0;

        /** Seed of the shuffle buffer. */
        private long seed = 0;

        /** Batches prepared ahead on a background thread; 0 prepares on the caller's thread. */
        private int prefetch = 2;

        /** This host's index in {@code [0, hostCount)}. */
        private int hostIndex = 0;

        /** Number of hosts reading disjoint shares of the source. */
        private int hostCount = 1;

        /** Sets the source (stored as a copy). */
        public Config source(ExampleSource.Config<?> v) {
            return set(() -> source = v.copy());
        }

        /** Adds a processor (stored as a copy). */
        public Config addProcessor(Processor.Config<?> v) {
            return set(
                    () -> {
                        List<Processor.Config<?>> list = new ArrayList<>(processors);
                        list.add(v.copy());
                        processors = list;
                    });
        }

        /** Sets the batch size. */
        public Config batchSize(int v) {
            return set(() -> batchSize = v);
        }

        /** Sets training (true) or evaluation (false) behaviour. */
        public Config training(boolean v) {
            return set(() -> training = v);
        }

        /** Sets the shuffle buffer size. */
        public Config shuffleBufferSize(int v) {
            return set(() -> shuffleBufferSize = v);
        }

        /** Sets the shuffle seed. */
        public Config seed(long v) {
            return set(() -> seed = v);
        }

        /** Sets how many batches to prepare ahead. */
        public Config prefetch(int v) {
            return set(() -> prefetch = v);
        }

        /** Sets this host's index and the number of hosts. */
        public Config hosts(int index, int count) {
            return set(
                    () -> {
                        hostIndex = index;
                        hostCount = count;
                    });
        }

        /** The batch size. */
        public Integer batchSize() {
            return batchSize;
        }

        /** Whether this is a training input. */
        public boolean training() {
            return training;
        }

        /** The seed. */
        public long seed() {
            return seed;
        }

        /** The source config. */
        public ExampleSource.Config<?> source() {
            return source;
        }

        @Override
        protected void validate() {
            if (batchSize <= 0) {
                throw invalid("batchSize", "must be positive, got " + batchSize);
            }
            if (shuffleBufferSize < 0) {
                throw invalid(
                        "shuffleBufferSize", "must not be negative, got " + shuffleBufferSize);
            }
            if (prefetch < 0) {
                throw invalid("prefetch", "must not be negative, got " + prefetch);
            }
            if (hostCount <= 0 || hostIndex < 0 || hostIndex >= hostCount) {
                throw invalid(
                        "hostIndex",
                        "must be in [0, hostCount=" + hostCount + "), got " + hostIndex);
            }
        }

        @Override
        protected Input create() {
            return new Input(this);
        }
    }

    /** A new config with the defaults. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final ExampleSource source;
    private final List<Processor> processors = new ArrayList<>();

    private Input(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        this.source =
                cfg.source.instantiateAt(
                        io.axlearn.core.config.ConfigPath.child(cfg.path(), "source"));
        for (int i = 0; i < cfg.processors.size(); i++) {
            processors.add(
                    cfg.processors.get(i).instantiateAt(cfg.path() + ".processors[" + i + "]"));
        }
        if (shareSize() == 0) {
            String where = io.axlearn.core.config.ConfigPath.child(cfg.path(), "source");
            throw new io.axlearn.core.config.ConfigException(
                    source.size() == 0
                            ? where + " holds no examples"
                            : where
                                    + " holds "
                                    + source.size()
                                    + " examples, none for host "
                                    + cfg.hostIndex
                                    + " of "
                                    + cfg.hostCount
                                    + " (host i reads examples i, i + hostCount, ...)");
        }
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /** Number of examples this host reads per epoch. */
    public long shareSize() {
        long n = source.size();
        return n <= cfg.hostIndex ? 0 : (n - cfg.hostIndex + cfg.hostCount - 1) / cfg.hostCount;
    }

    /** Batches per pass for an evaluation input (the last one padded). */
    public long evalBatches() {
        return (shareSize() + cfg.batchSize - 1) / cfg.batchSize;
    }

    /** An iterator from the start. */
    public BatchIterator iterator() {
        return iterator(InputState.start(cfg.seed));
    }

    /**
     * An iterator that continues from {@code state} (as saved from a batch's {@link
     * Batch#stateAfter}).
     */
    public BatchIterator iterator(InputState state) {
        checkFits(state);
        Producer producer = new Producer(state);
        return cfg.prefetch == 0
                ? new DirectIterator(producer)
                : new PrefetchIterator(producer, cfg.prefetch);
    }

    /**
     * Refuses a saved position that this input cannot continue from: a cursor past this host's
     * share, or buffered indices past the source (the corpus shrank since the checkpoint).
     */
    private void checkFits(InputState state) {
        long share = shareSize();
        boolean bufferFits = state.buffer().stream().allMatch(i -> i >= 0 && i < source.size());
        if (state.cursor() > share || state.cursor() < 0 || !bufferFits) {
            throw new io.axlearn.core.config.ConfigException(
                    "the saved input position (epoch "
                            + state.epoch()
                            + ", example "
                            + state.cursor()
                            + ") does not fit "
                            + io.axlearn.core.config.ConfigPath.child(cfg.path(), "source")
                            + ", which now holds "
                            + source.size()
                            + " examples ("
                            + share
                            + " for this host); the data changed since the checkpoint: resume"
                            + " with the same data, or start a new trainer directory");
        }
    }

    /** Iterates batches; close it to stop the prefetch thread. */
    public interface BatchIterator extends Iterator<Batch>, AutoCloseable {
        @Override
        void close();
    }

    /** Produces batches one at a time from a mutable copy of the state. Not thread-safe. */
    private final class Producer {
        private long epoch;
        private long cursor;
        private long rng;
        private final List<Long> buffer;
        private long batches;

        Producer(InputState s) {
            epoch = s.epoch();
            cursor = s.cursor();
            rng = s.rngState();
            buffer = new ArrayList<>(s.buffer());
            batches = s.batches();
        }

        /** The next batch, or null at the end of an evaluation pass. */
        Batch next() {
            List<Example> examples = new ArrayList<>(cfg.batchSize);
            while (examples.size() < cfg.batchSize) {
                Long index = nextIndex();
                if (index == null) {
                    break;
                }
                Example e = source.get(index);
                long draw =
                        (batches * cfg.batchSize + examples.size()) * cfg.hostCount + cfg.hostIndex;
                for (Processor p : processors) {
                    e = p.apply(e, draw);
                }
                examples.add(e);
            }
            if (examples.isEmpty()) {
                return null;
            }
            int real = examples.size();
            while (examples.size() < cfg.batchSize) {
                examples.add(examples.get(0).zeros());
            }
            batches++;
            return stack(examples, real, new InputState(epoch, cursor, rng, buffer, batches));
        }

        private Long nextIndex() {
            boolean shuffle = cfg.training && cfg.shuffleBufferSize > 0;
            if (!shuffle) {
                return sequential();
            }
            while (buffer.size() < cfg.shuffleBufferSize) {
                Long i = sequential();
                if (i == null) {
                    break;
                }
                buffer.add(i);
            }
            if (buffer.isEmpty()) {
                return null;
            }
            rng += 0x9e3779b97f4a7c15L;
            int k = (int) ((io.axlearn.core.module.Seeds.derive(rng, "") >>> 1) % buffer.size());
            Long picked = buffer.get(k);
            buffer.set(k, buffer.get(buffer.size() - 1));
            buffer.remove(buffer.size() - 1);
            return picked;
        }

        private Long sequential() {
            if (cursor == shareSize()) {
                if (!cfg.training) {
                    return null;
                }
                epoch++;
                cursor = 0;
            }
            return cursor++ * cfg.hostCount + cfg.hostIndex;
        }
    }

    private static Batch stack(List<Example> examples, int real, InputState after) {
        Example first = examples.get(0);
        int n = examples.size();
        SortedMap<String, ByteBuffer> data = new TreeMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        Map<String, DataType> types = new LinkedHashMap<>();
        for (Map.Entry<String, Object> f : first.features().entrySet()) {
            String name = f.getKey();
            boolean isInt = f.getValue() instanceof int[];
            int len = isInt ? ((int[]) f.getValue()).length : ((float[]) f.getValue()).length;
            ByteBuffer buf = ByteBuffer.allocateDirect(n * len * 4).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                Example e = examples.get(i);
                if (isInt) {
                    int[] v = e.ints(name);
                    checkLength(name, v.length, len, i);
                    buf.asIntBuffer().position(i * len).put(v);
                } else {
                    float[] v = e.floats(name);
                    checkLength(name, v.length, len, i);
                    buf.asFloatBuffer().position(i * len).put(v);
                }
            }
            data.put(name, buf);
            shapes.put(name, new Shape(n, len));
            types.put(name, isInt ? DataType.INT32 : DataType.FLOAT32);
        }
        ByteBuffer weight = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            weight.putFloat(i < real ? 1f : 0f);
        }
        data.put(Batch.WEIGHT, weight.rewind());
        shapes.put(Batch.WEIGHT, new Shape(n));
        types.put(Batch.WEIGHT, DataType.FLOAT32);
        return new Batch(data, shapes, types, after);
    }

    private static void checkLength(String name, int actual, int expected, int example) {
        if (actual != expected) {
            throw new IllegalStateException(
                    "feature "
                            + name
                            + " of example "
                            + example
                            + " in a batch has length "
                            + actual
                            + ", the first example's has "
                            + expected
                            + "; pad or trim examples to one length");
        }
    }

    /** Produces on the caller's thread. */
    private static final class DirectIterator implements BatchIterator {
        private final Producer producer;
        private Batch next;
        private boolean done;

        DirectIterator(Producer producer) {
            this.producer = producer;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = producer.next();
                done = next == null;
            }
            return next != null;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("input exhausted");
            }
            Batch b = next;
            next = null;
            return b;
        }

        @Override
        public void close() {
            done = true;
        }
    }

    /** Produces on a daemon thread into a bounded queue. */
    private static final class PrefetchIterator implements BatchIterator {
        private static final Object END = new Object();
        private final BlockingQueue<Object> queue;
        private final Thread thread;
        private Object next;

        PrefetchIterator(Producer producer, int depth) {
            queue = new ArrayBlockingQueue<>(depth);
            thread =
                    new Thread(
                            () -> {
                                try {
                                    for (Batch b = producer.next();
                                            b != null;
                                            b = producer.next()) {
                                        queue.put(b);
                                    }
                                    queue.put(END);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } catch (RuntimeException | Error e) {
                                    // An OutOfMemoryError too: the consumer must not wait forever.
                                    try {
                                        queue.put(e);
                                    } catch (InterruptedException ie) {
                                        Thread.currentThread().interrupt();
                                    }
                                }
                            },
                            "axlearn-input-prefetch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for input", e);
                }
            }
            if (next instanceof OutOfMemoryError e) {
                throw new io.axlearn.core.config.ConfigException(
                        "the input pipeline ran out of Java heap ("
                                + Runtime.getRuntime().maxMemory() / (1 << 20)
                                + " MB) building a batch; lower input.batchSize or raise -Xmx"
                                + " (AXLEARN_JAVA_OPTS)");
            }
            if (next instanceof io.axlearn.core.config.ConfigException e) {
                throw e;
            }
            if (next instanceof Throwable e) {
                throw new IllegalStateException("input pipeline failed: " + e, e);
            }
            return next != END;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("input exhausted");
            }
            Batch b = (Batch) next;
            next = null;
            return b;
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }
}
