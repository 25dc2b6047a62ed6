package io.axlearn.core.module;

import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * A model that counts the floating-point operations of a training step, for model FLOPs utilisation
 * (MFU, <a href="https://arxiv.org/abs/2204.02311">Chowdhery et al. 2022</a>, §B): the matrix
 * multiplications of the forward pass (a multiply-add is 2 operations) times 3 for forward and
 * backward; element-wise work, norms and softmax are not counted.
 */
public interface FlopEstimate {
    /**
     * Floating-point operations of one training step (forward and backward) on a batch.
     *
     * @param batchShapes the shape of each batch feature, by name
     */
    double trainingFlops(Map<String, Shape> batchShapes);
}
