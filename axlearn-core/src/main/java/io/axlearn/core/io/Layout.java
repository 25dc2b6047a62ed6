package io.axlearn.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * How one of our tensors is laid out in a foreign (PyTorch, Hugging Face) state dict. Every layout
 * moves values without arithmetic, so converting there and back gives the same bytes.
 */
public sealed interface Layout {
    /** The same shape and order ({@code Embedding}, norms, convolutions, GPT-2's Conv1D). */
    Layout AS_IS = new AsIs();

    /**
     * A 2-D weight whose axes are swapped: our Linear {@code [in, out]}, torch's {@code [out, in]}.
     */
    Layout TRANSPOSED = new Transposed();

    /**
     * Our tensor with {@code count} leading axes of size 1 in front: Hugging Face ViT's {@code
     * cls_token [1, 1, D]} and {@code position_embeddings [1, T, D]}.
     */
    static Layout leadingOnes(int count) {
        return new LeadingOnes(count);
    }

    /** The foreign shape of a tensor whose shape is {@code ours}. */
    Shape foreignShape(Shape ours);

    /** Our shape of a tensor whose foreign shape is {@code foreign} (the inverse). */
    Shape ourShape(Shape foreign);

    /** Our tensor in the foreign layout (a new array on the input's manager, or the input). */
    NDArray toForeign(NDArray ours);

    /** A foreign tensor in our layout. */
    NDArray toOurs(NDArray foreign);

    /** The same shape and order. */
    record AsIs() implements Layout {
        @Override
        public Shape foreignShape(Shape ours) {
            return ours;
        }

        @Override
        public Shape ourShape(Shape foreign) {
            return foreign;
        }

        @Override
        public NDArray toForeign(NDArray ours) {
            return ours;
        }

        @Override
        public NDArray toOurs(NDArray foreign) {
            return foreign;
        }

        @Override
        public String toString() {
            return "as is";
        }
    }

    /** A 2-D tensor with its two axes swapped. */
    record Transposed() implements Layout {
        @Override
        public Shape foreignShape(Shape ours) {
            return swap(ours);
        }

        @Override
        public Shape ourShape(Shape foreign) {
            return swap(foreign);
        }

        private static Shape swap(Shape s) {
            return s.dimension() == 2 ? new Shape(s.get(1), s.get(0)) : s;
        }

        @Override
        public NDArray toForeign(NDArray ours) {
            return ours.transpose(1, 0);
        }

        @Override
        public NDArray toOurs(NDArray foreign) {
            return foreign.transpose(1, 0);
        }

        @Override
        public String toString() {
            return "transposed";
        }
    }

    /**
     * Leading axes of size 1 in the foreign tensor.
     *
     * @param count how many
     */
    record LeadingOnes(int count) implements Layout {
        @Override
        public Shape foreignShape(Shape ours) {
            long[] dims = new long[ours.dimension() + count];
            java.util.Arrays.fill(dims, 0, count, 1);
            System.arraycopy(ours.getShape(), 0, dims, count, ours.dimension());
            return new Shape(dims);
        }

        @Override
        public Shape ourShape(Shape foreign) {
            return foreign.slice(Math.min(count, foreign.dimension()));
        }

        @Override
        public NDArray toForeign(NDArray ours) {
            return ours.reshape(foreignShape(ours.getShape()));
        }

        @Override
        public NDArray toOurs(NDArray foreign) {
            return foreign.reshape(ourShape(foreign.getShape()));
        }

        @Override
        public String toString() {
            return count + " leading axes of size 1";
        }
    }
}
