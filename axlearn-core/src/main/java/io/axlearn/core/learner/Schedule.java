package io.axlearn.core.learner;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.FunctionConfig;
import io.axlearn.core.config.Required;
import java.util.ArrayList;
import java.util.List;

/**
 * A value that changes with the training step: a learning rate, a weight-decay or momentum factor
 * (axlearn's {@code schedule.py}).
 *
 * <p>Steps count from 1, as in axlearn: the first update of a run uses {@code valueAt(1)}. Each
 * schedule is built from a {@link FunctionConfig}, so it prints, serialises and takes dotted
 * overrides like any other config ({@code --set learner.optimizer.learningRate.peak=3e-4}).
 */
@FunctionalInterface
public interface Schedule {

    /** The value at {@code step} (1-based; values at steps below 1 are extrapolated). */
    double valueAt(long step);

    /** Base of schedule configs. */
    abstract class Config<S extends Config<S>> extends FunctionConfig<S, Schedule> {}

    /** A schedule that is {@code value} at every step. */
    static Constant constant(double value) {
        return new Constant().value(value);
    }

    /** A linear ramp from {@code begin} at step 0 to {@code end} at step {@code numSteps}. */
    static Polynomial linear(double begin, double end, long numSteps) {
        return new Polynomial().begin(begin).end(end).numSteps(numSteps);
    }

    /**
     * Linear warmup from {@code beginValue} to {@code peak} over {@code warmupSteps}, then cosine
     * decay to {@code alpha * peak} at {@code maxStep}.
     */
    static CosineWithLinearWarmup cosineWithLinearWarmup(
            double peak, long warmupSteps, long maxStep) {
        return new CosineWithLinearWarmup().peak(peak).warmupSteps(warmupSteps).maxStep(maxStep);
    }

    /** The same value at every step. */
    final class Constant extends Config<Constant> {
        /** The value. */
        @Required private Double value;

        /** Sets the value. */
        public Constant value(double v) {
            return set(() -> value = v);
        }

        @Override
        protected Schedule create() {
            double v = value;
            return step -> v;
        }
    }

    /**
     * {@code begin + (end - begin) * clamp(step / numSteps, 0, 1)^power}: {@code begin} at step 0,
     * {@code end} from step {@code numSteps} on; linear when {@code power} is 1 (axlearn's {@code
     * polynomial} with {@code begin_step=0, end_step=numSteps}).
     */
    final class Polynomial extends Config<Polynomial> {
        /** Value at step 0. */
        private double begin = 0;

        /** Value at step {@code numSteps} and after. */
        private double end = 0;

        /** Exponent of the progress fraction; 1 is linear. Must be positive. */
        private double power = 1;

        /** Steps from {@code begin} to {@code end}; must be positive. */
        @Required private Long numSteps;

        /** Sets the value at step 0. */
        public Polynomial begin(double v) {
            return set(() -> begin = v);
        }

        /** Sets the value at step {@code numSteps}. */
        public Polynomial end(double v) {
            return set(() -> end = v);
        }

        /** Sets the exponent of the progress fraction. */
        public Polynomial power(double v) {
            return set(() -> power = v);
        }

        /** Sets the number of steps of the ramp. */
        public Polynomial numSteps(long v) {
            return set(() -> numSteps = v);
        }

        @Override
        protected void validate() {
            if (numSteps <= 0) {
                throw invalid("numSteps", "must be positive, got " + numSteps);
            }
            if (!(power > 0)) {
                throw invalid("power", "must be positive, got " + power);
            }
        }

        @Override
        protected Schedule create() {
            double b = begin;
            double e = end;
            double p = power;
            double n = numSteps;
            return step -> {
                double frac = Math.min(1.0, Math.max(0.0, step / n));
                return b + (p == 1 ? frac : Math.pow(frac, p)) * (e - b);
            };
        }
    }

    /**
     * Half a cosine from {@code initValue} at step 0 down to {@code alpha * initValue} at step
     * {@code numSteps}, constant after: {@code init * ((1 - alpha) * (1 + cos(pi * min(step, n) /
     * n)) / 2 + alpha)} (<a href="https://arxiv.org/abs/1608.03983">SGDR</a>; optax's {@code
     * cosine_decay_schedule}).
     */
    final class CosineDecay extends Config<CosineDecay> {
        /** Value at step 0. */
        @Required private Double initValue;

        /** Steps of the decay; must be positive. */
        @Required private Long numSteps;

        /** Final value as a fraction of {@code initValue}, in [0, 1]. */
        private double alpha = 0;

        /** Sets the value at step 0. */
        public CosineDecay initValue(double v) {
            return set(() -> initValue = v);
        }

        /** Sets the number of steps of the decay. */
        public CosineDecay numSteps(long v) {
            return set(() -> numSteps = v);
        }

        /** Sets the final value as a fraction of the initial one. */
        public CosineDecay alpha(double v) {
            return set(() -> alpha = v);
        }

        @Override
        protected void validate() {
            if (numSteps <= 0) {
                throw invalid("numSteps", "must be positive, got " + numSteps);
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw invalid("alpha", "must be in [0, 1], got " + alpha);
            }
        }

        @Override
        protected Schedule create() {
            double init = initValue;
            double n = numSteps;
            double a = alpha;
            return step -> {
                double frac = Math.min(1.0, Math.max(0.0, step / n));
                return init * ((1 - a) * 0.5 * (1 + Math.cos(Math.PI * frac)) + a);
            };
        }
    }

    /**
     * Linear warmup, then cosine decay (axlearn's {@code cosine_with_linear_warmup}): the {@link
     * SegmentWise} composition of a {@link Polynomial} ramp from {@code beginValue} to {@code peak}
     * over steps {@code 1..warmupSteps} and a {@link CosineDecay} from {@code peak} to {@code alpha
     * * peak} over steps {@code warmupSteps+1..maxStep}.
     *
     * <p>So step {@code s <= warmupSteps} gives {@code beginValue + (peak - beginValue) * s /
     * warmupSteps} (exactly {@code peak} at the end of warmup), step {@code maxStep} and every
     * later step give {@code alpha * peak}.
     */
    final class CosineWithLinearWarmup extends Config<CosineWithLinearWarmup> {
        /** Value at the end of warmup (the peak learning rate). */
        @Required private Double peak;

        /** Steps of linear warmup; 0 starts the cosine at step 1. Must be below {@code maxStep}. */
        private long warmupSteps = 500;

        /** Step at which the cosine reaches its final value {@code alpha * peak}. */
        @Required private Long maxStep;

        /** Final value as a fraction of {@code peak}, in [0, 1]. */
        private double alpha = 0;

        /** Value at step 0 (warmup starts from it). */
        private double beginValue = 0;

        /** Sets the peak value. */
        public CosineWithLinearWarmup peak(double v) {
            return set(() -> peak = v);
        }

        /** Sets the number of warmup steps. */
        public CosineWithLinearWarmup warmupSteps(long v) {
            return set(() -> warmupSteps = v);
        }

        /** Sets the step at which the decay ends. */
        public CosineWithLinearWarmup maxStep(long v) {
            return set(() -> maxStep = v);
        }

        /** Sets the final value as a fraction of the peak. */
        public CosineWithLinearWarmup alpha(double v) {
            return set(() -> alpha = v);
        }

        /** Sets the value at step 0. */
        public CosineWithLinearWarmup beginValue(double v) {
            return set(() -> beginValue = v);
        }

        @Override
        protected void validate() {
            if (warmupSteps < 0) {
                throw invalid("warmupSteps", "must be >= 0, got " + warmupSteps);
            }
            if (maxStep <= warmupSteps) {
                throw invalid(
                        "maxStep",
                        "must be greater than warmupSteps (" + warmupSteps + "), got " + maxStep);
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw invalid("alpha", "must be in [0, 1], got " + alpha);
            }
        }

        @Override
        protected Schedule create() {
            SegmentWise segments = new SegmentWise();
            if (warmupSteps > 0) {
                segments.add(warmupSteps, linear(beginValue, peak, warmupSteps));
            }
            segments.add(
                    maxStep - warmupSteps,
                    new CosineDecay().initValue(peak).numSteps(maxStep - warmupSteps).alpha(alpha));
            return segments.instantiateAt(path());
        }
    }

    /**
     * Consecutive schedules, each over its own number of steps and seeing its own steps from 1
     * (axlearn's {@code segment_wise}).
     *
     * <p>With segment lengths {@code n0, n1, ...}, global step {@code s} in {@code (o_k, o_k +
     * n_k]} (where {@code o_k = n0 + ... + n(k-1)}) is local step {@code s - o_k} of segment {@code
     * k}. Steps after the last segment continue the last segment ({@code s - o_last}, beyond its
     * length), steps below 1 go to the first segment.
     */
    final class SegmentWise extends Config<SegmentWise> {
        /** The segments in order; at least one. */
        private List<Segment> segments = new ArrayList<>();

        /** Appends a segment of {@code numSteps} steps running {@code schedule}. */
        public SegmentWise add(long numSteps, Config<?> schedule) {
            Segment s = new Segment().numSteps(numSteps).schedule(schedule);
            return set(
                    () -> {
                        List<Segment> out = new ArrayList<>(segments);
                        out.add(s);
                        segments = out;
                    });
        }

        /** Replaces the segments. */
        public SegmentWise segments(List<Segment> v) {
            List<Segment> copies = v.stream().map(Segment::copy).toList();
            return set(() -> segments = new ArrayList<>(copies));
        }

        /** The segments. */
        public List<Segment> segments() {
            return segments;
        }

        @Override
        protected void validate() {
            if (segments.isEmpty()) {
                throw invalid("segments", "must not be empty");
            }
            for (int i = 0; i < segments.size(); i++) {
                Segment s = segments.get(i);
                if (s.numSteps <= 0) {
                    throw invalid(
                            "segments[" + i + "].numSteps", "must be positive, got " + s.numSteps);
                }
            }
        }

        @Override
        protected Schedule create() {
            int k = segments.size();
            Schedule[] fns = new Schedule[k];
            long[] offsets = new long[k];
            long offset = 0;
            for (int i = 0; i < k; i++) {
                Segment s = segments.get(i);
                fns[i] = s.schedule.instantiateAt(ConfigPath.child(s.path(), "schedule"));
                offsets[i] = offset;
                offset += s.numSteps;
            }
            long[] ends = new long[k];
            for (int i = 0; i < k; i++) {
                ends[i] = offsets[i] + segments.get(i).numSteps;
            }
            return step -> {
                int i = 0;
                while (i < k - 1 && step > ends[i]) {
                    i++;
                }
                return fns[i].valueAt(step - offsets[i]);
            };
        }
    }

    /** One segment of a {@link SegmentWise} schedule: a schedule and how many steps it runs. */
    final class Segment extends ConfigBase<Segment> {
        /** Steps of this segment; must be positive. */
        @Required private Long numSteps;

        /** The schedule, which sees this segment's steps as {@code 1..numSteps}. */
        @Required private Config<?> schedule;

        /** Sets the number of steps. */
        public Segment numSteps(long v) {
            return set(() -> numSteps = v);
        }

        /** Sets the schedule (copied). */
        public Segment schedule(Config<?> v) {
            Config<?> c = v.copy();
            return set(() -> schedule = c);
        }
    }
}
