package io.axlearn.core.ndarray;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * Arrays whose memory libtorch allocates and frees itself, for values that come from Java.
 *
 * <p>DJL's PyTorch engine does not copy a direct {@link ByteBuffer} given to {@code
 * manager.create}: the tensor aliases the buffer, and the only thing keeping the buffer's memory
 * alive is a Java reference from the {@code NDArray} object, dropped when the array is closed. The
 * engine, though, may hold the tensor longer than that: autograd saves operands for the backward
 * pass ({@code a * b} keeps {@code b} to compute the gradient of {@code a}), and views share the
 * storage. Once the Java owner is gone, the next garbage collection frees the memory under the
 * engine, and the backward pass multiplies by whatever the allocator wrote there. Every array built
 * from Java values ({@code create(float[])}, {@code create(Buffer)}) takes that path, and so does
 * every operation with a Java number operand ({@code x.mul(0.5f)}, {@code x.div(n)}, {@code
 * x.pow(3)}): DJL turns the number into such an array and closes it as soon as the operation
 * returns, while the autograd graph still refers to it.
 *
 * <p>The arrays made here live in engine memory (a native fill or a native copy), so closing them,
 * collecting their Java objects or dropping the source buffer never changes what the engine reads.
 * Use {@link #scalar} for constant operands of anything that may run under a gradient collector,
 * and {@link #copyOf} for arrays built from Java data.
 */
public final class OwnedArrays {
    private OwnedArrays() {}

    /**
     * A 0-d array holding {@code value}, of {@code like}'s data type, on {@code like}'s manager and
     * device: the safe operand for {@code like.mul(...)}, {@code div}, {@code pow}, {@code
     * maximum}.
     *
     * @param like the array the scalar will be combined with
     * @param value the constant
     */
    public static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    /** {@code values} as a float32 array of {@code shape} on {@code manager}, in engine memory. */
    public static NDArray copyOf(NDManager manager, float[] values, Shape shape) {
        return owned(manager.create(values, shape));
    }

    /** {@code values} as an int32 array of {@code shape} on {@code manager}, in engine memory. */
    public static NDArray copyOf(NDManager manager, int[] values, Shape shape) {
        return owned(manager.create(values, shape));
    }

    /**
     * The bytes of {@code data} from its position to its limit, in native order, as an array of
     * {@code shape} and {@code type} on {@code manager}, in engine memory; {@code data} may be
     * reused or dropped as soon as this returns.
     */
    public static NDArray copyOf(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        return owned(manager.create(data, shape, type));
    }

    /** A native copy of {@code aliased}, which is closed. */
    private static NDArray owned(NDArray aliased) {
        try (aliased) {
            return aliased.duplicate();
        }
    }
}
