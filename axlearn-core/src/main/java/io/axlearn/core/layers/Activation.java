package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.ndarray.OwnedArrays;

/**
 * Elementwise activation functions, chosen by name in configs ({@code activation: GELU}).
 *
 * <p>Gated variants (GLU family, <a href="https://arxiv.org/abs/2002.05202">Shazeer 2020</a>)
 * combine two projections: {@code gated(SILU, a, b) = silu(a) * b} is SwiGLU, {@code gated(GELU, a,
 * b)} is GeGLU.
 */
public enum Activation {
    /** {@code x}. */
    IDENTITY,
    /** {@code max(x, 0)}. */
    RELU,
    /** Exact GELU: {@code x * Phi(x)} (<a href="https://arxiv.org/abs/1606.08415">paper</a>). */
    GELU,
    /** GELU with the tanh approximation (GPT-2, BERT). */
    GELU_TANH,
    /** SiLU / swish: {@code x * sigmoid(x)}. */
    SILU,
    /** {@code tanh(x)}. */
    TANH,
    /** {@code 1 / (1 + exp(-x))}. */
    SIGMOID;

    /** Applies the activation to {@code x} (any shape). */
    public NDArray apply(NDArray x) {
        return switch (this) {
            case IDENTITY -> x;
            case RELU -> ai.djl.nn.Activation.relu(x);
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case GELU_TANH -> geluTanh(x);
            case SILU -> x.mul(ai.djl.nn.Activation.sigmoid(x));
            case TANH -> x.tanh();
            case SIGMOID -> ai.djl.nn.Activation.sigmoid(x);
        };
    }

    /**
     * The gated combination {@code activation(gate) * value} (SwiGLU with SILU, GeGLU with GELU).
     */
    public NDArray gated(NDArray gate, NDArray value) {
        return apply(gate).mul(value);
    }

    private static NDArray geluTanh(NDArray x) {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        // Engine-owned constants: autograd keeps them for the backward pass (OwnedArrays).
        NDArray cube = x.pow(OwnedArrays.scalar(x, 3f));
        NDArray inner =
                cube.mul(OwnedArrays.scalar(x, 0.044715f))
                        .add(x)
                        .mul(OwnedArrays.scalar(x, (float) Math.sqrt(2 / Math.PI)));
        return inner.tanh().add(1f).mul(x).mul(OwnedArrays.scalar(x, 0.5f));
    }
}
