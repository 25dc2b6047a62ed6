package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import java.util.Map;
import java.util.SortedMap;

/**
 * Updates parameters in place from their gradients, keeping its own state (moments, momentum)
 * beside them.
 *
 * <p>Implementations work directly on NDArrays. An update allocates its temporaries on a
 * sub-manager that it closes before returning, so the managers of the parameters, gradients and
 * state hold exactly the same arrays before and after ({@code getManagedArrays()} stays flat).
 * Parameters whose spec has {@code trainable == false} get no state and are never updated. The
 * weight decay of parameter {@code p} is the optimiser's {@code weightDecay} times {@code
 * spec(p).weightDecayScale()} (0 for biases and norm scales).
 *
 * <p>An update temporarily re-attaches the parameter, gradient and state arrays to its own
 * sub-manager ({@link NDManager#tempAttachAll}), so nothing else may use those arrays' managers
 * from another thread while it runs.
 */
public interface Optimizer {

    /**
     * Allocates the state for the trainable parameters among {@code specs}: zeros shaped like each
     * parameter, on {@code manager} (which the caller owns and closes).
     *
     * @param specs every parameter's spec by path
     * @param params the parameters (their values are not read; shapes and dtypes come from them)
     * @param manager where the state lives, usually the parameters' manager
     */
    OptimizerState initState(
            SortedMap<String, ParamSpec> specs, ParamTree params, NDManager manager);

    /**
     * Applies update {@code step} (1-based) to the trainable parameters, in place, and advances
     * {@code state} to {@code step}. The learning rate and Adam's bias correction use {@code step},
     * so a restored state continues with the step after its {@link OptimizerState#step()}.
     *
     * @param step the 1-based number of this update
     * @param params the parameters, changed in place
     * @param grads a gradient per trainable parameter path, same shape; not changed
     * @param state this optimiser's state from {@link #initState}, changed in place
     * @throws IllegalArgumentException if a trainable parameter has no gradient, or {@code step <
     *     1}
     */
    void update(long step, ParamTree params, Map<String, NDArray> grads, OptimizerState state);

    /** The learning rate used at {@code step} (1-based). */
    double learningRate(long step);

    /**
     * Base of optimiser configs: the learning rate (a schedule) and the weight decay.
     *
     * @param <S> the concrete config type
     */
    abstract class Config<S extends Config<S>> extends InstantiableConfig<S, Optimizer> {
        /** Learning rate by step: a {@link Schedule} config ({@code Schedule.constant(lr)}). */
        @Required private Schedule.Config<?> learningRate;

        /**
         * Weight decay coefficient, scaled per parameter by {@link ParamSpec#weightDecayScale()};
         * >= 0. Whether it is an L2 term added to the gradient or a decoupled decay of the weights
         * is documented by each optimiser.
         */
        private double weightDecay = 0;

        /** Sets a constant learning rate. */
        public S learningRate(double v) {
            return learningRate(Schedule.constant(v));
        }

        /** Sets the learning-rate schedule (copied). */
        public S learningRate(Schedule.Config<?> v) {
            Schedule.Config<?> c = v.copy();
            return set(() -> learningRate = c);
        }

        /** Sets the weight decay coefficient. */
        public S weightDecay(double v) {
            return set(() -> weightDecay = v);
        }

        /** The learning-rate schedule config. */
        public Schedule.Config<?> learningRate() {
            return learningRate;
        }

        /** The weight decay coefficient. */
        public double weightDecay() {
            return weightDecay;
        }

        /** Builds the learning-rate schedule; for {@link #create()}. */
        protected final Schedule buildLearningRate() {
            return learningRate.instantiateAt(ConfigPath.child(path(), "learningRate"));
        }

        @Override
        protected void validate() {
            if (!(weightDecay >= 0)) {
                throw invalid("weightDecay", "must be >= 0, got " + weightDecay);
            }
        }

        /** Throws unless {@code value} of {@code field} is in {@code [0, 1)}. */
        protected final void checkUnitInterval(String field, double value) {
            if (!(value >= 0 && value < 1)) {
                throw invalid(field, "must be in [0, 1), got " + value);
            }
        }

        /** Throws unless {@code value} of {@code field} is positive. */
        protected final void checkPositive(String field, double value) {
            if (!(value > 0)) {
                throw invalid(field, "must be positive, got " + value);
            }
        }
    }
}
