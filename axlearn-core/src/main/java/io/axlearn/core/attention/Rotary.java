package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.ndarray.OwnedArrays;

/**
 * Rotary position embeddings (<a href="https://arxiv.org/abs/2104.09864">Su et al. 2021</a>), in
 * the "rotate half" convention of GPT-NeoX and Llama: the per-head vector is split into halves
 * {@code (x1, x2)} and rotated as {@code x * cos + (-x2, x1) * sin}, with frequency {@code
 * theta^(-2i/H)} for pair {@code i} and angle {@code position * frequency}.
 */
final class Rotary {
    private Rotary() {}

    /** Rotates {@code x [B, heads, L, H]} whose positions are {@code offset .. offset + L - 1}. */
    static NDArray apply(NDArray x, long offset, double theta, NDManager manager) {
        Shape s = x.getShape();
        int length = (int) s.get(2);
        int dim = (int) s.get(3);
        int half = dim / 2;
        float[] cos = new float[length * dim];
        float[] sin = new float[length * dim];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (offset + p) * Math.pow(theta, -2.0 * i / dim);
                float c = (float) Math.cos(angle);
                float sn = (float) Math.sin(angle);
                cos[p * dim + i] = c;
                cos[p * dim + i + half] = c;
                sin[p * dim + i] = sn;
                sin[p * dim + i + half] = sn;
            }
        }
        // Engine copies: autograd keeps both tables for the backward pass (OwnedArrays).
        NDArray cosA = OwnedArrays.copyOf(manager, cos, new Shape(1, 1, length, dim));
        NDArray sinA = OwnedArrays.copyOf(manager, sin, new Shape(1, 1, length, dim));
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new ai.djl.ndarray.NDList(x2.neg(), x1), -1);
        return x.mul(cosA).add(rotated.mul(sinA));
    }
}
