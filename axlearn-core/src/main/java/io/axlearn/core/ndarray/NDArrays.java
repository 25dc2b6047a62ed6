package io.axlearn.core.ndarray;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** Array operations that DJL offers only in a form that misbehaves on the PyTorch engine. */
public final class NDArrays {
    private static final NDIndex ALL = new NDIndex("...");

    private NDArrays() {}

    /**
     * Copies the values of {@code source} into {@code target} in place (a checkpoint restore into
     * freshly initialised parameters).
     *
     * <p>Unlike DJL's {@code source.copyTo(target)} and {@code target.set(buffer)}, which go
     * through a libtorch guard that prints "Warning: AutoNonVariableTypeMode is deprecated ..." on
     * the process's native standard error the first time, this is an indexed put over the whole
     * array ({@code target[...] = source}), which prints nothing.
     *
     * @throws IllegalArgumentException if the shapes or data types differ
     */
    public static void copyValues(NDArray source, NDArray target) {
        if (!source.getShape().equals(target.getShape())
                || source.getDataType() != target.getDataType()) {
            throw new IllegalArgumentException(
                    "cannot copy "
                            + source.getDataType()
                            + source.getShape()
                            + " into "
                            + target.getDataType()
                            + target.getShape());
        }
        target.set(ALL, source);
    }
}
