package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.axlearn.core.ndarray.Engines;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch's fused multi-tensor Adam kernels ({@code torch._fused_adamw_} and {@code
 * torch._fused_adam_}, the kernels of {@code torch.optim.AdamW(fused=True)}), which DJL's JNI does
 * not expose, reached through a TorchScript module that calls them ({@code fused_adam.pt}, written
 * by {@code tools/optim/fused_adam_module.py}). One call updates a whole group of parameters: a
 * single pass over each parameter, gradient and pair of moments, with torch.optim's arithmetic.
 *
 * <p>The module is loaded once per JVM, on a manager that lives as long as the JVM. If it cannot be
 * loaded (a libtorch without the fused kernels), {@link #instance()} is empty, one line says why,
 * and {@link Adam} composes DJL ops instead.
 */
final class FusedAdamKernel {
    private static final Logger LOG = LoggerFactory.getLogger(FusedAdamKernel.class);
    private static final String RESOURCE = "fused_adam.pt";

    private static final class Holder {
        static final Optional<FusedAdamKernel> INSTANCE = load();
    }

    private final PtSymbolBlock module;

    private FusedAdamKernel(PtSymbolBlock module) {
        this.module = module;
    }

    /** The process's kernel, or empty if this libtorch cannot run it. */
    static Optional<FusedAdamKernel> instance() {
        return Holder.INSTANCE;
    }

    private static Optional<FusedAdamKernel> load() {
        Engines.pytorch();
        try (InputStream in = FusedAdamKernel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing");
            }
            // Never closed: the module lives as long as the process.
            PtNDManager manager = (PtNDManager) NDManager.newBaseManager();
            return Optional.of(new FusedAdamKernel(JniUtils.loadModule(manager, in, false, false)));
        } catch (Exception | UnsatisfiedLinkError e) {
            LOG.warn(
                    "Adam: PyTorch's fused kernel is not available ({}); composing DJL ops instead",
                    e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Whether every array is a PyTorch array, which the kernel can take.
     *
     * @param arrays the arrays of one update
     */
    static boolean accepts(List<NDArray> arrays) {
        for (NDArray a : arrays) {
            if (!(a instanceof PtNDArray)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One Adam step over a group of parameters sharing a learning rate and weight decay, in place:
     * {@code params}, {@code mu} and {@code nu} change, {@code grads} do not.
     *
     * @param decoupled true for AdamW ({@code p *= 1 - lr wd} first), false for Adam ({@code g +=
     *     wd p})
     * @param step the 1-based step, for the bias corrections
     */
    void update(
            boolean decoupled,
            List<NDArray> params,
            List<NDArray> grads,
            List<NDArray> mu,
            List<NDArray> nu,
            long step,
            double lr,
            double beta1,
            double beta2,
            double weightDecay,
            double eps) {
        NDArray first = params.get(0);
        try (NDManager scope = first.getManager().newSubManager()) {
            PtNDArray stepArray =
                    (PtNDArray) scope.create((float) step).toDevice(first.getDevice(), false);
            IValue[] args = {
                list(params),
                list(grads),
                list(mu),
                list(nu),
                IValue.from(stepArray),
                IValue.from(lr),
                IValue.from(beta1),
                IValue.from(beta2),
                IValue.from(weightDecay),
                IValue.from(eps)
            };
            try {
                IValueUtils.runMethod(module, decoupled ? "forward" : "adam", args).close();
            } finally {
                for (IValue v : args) {
                    v.close();
                }
            }
        }
    }

    private static IValue list(List<NDArray> arrays) {
        PtNDArray[] pt = new PtNDArray[arrays.size()];
        for (int i = 0; i < pt.length; i++) {
            pt[i] = (PtNDArray) arrays.get(i);
        }
        return IValue.listFrom(pt);
    }
}
