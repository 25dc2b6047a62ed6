package io.axlearn.audio.asr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Connectionist temporal classification loss (<a
 * href="https://www.cs.toronto.edu/~graves/icml_2006.pdf">Graves et al. 2006</a>) written on
 * NDArrays, so autograd differentiates it: the forward (alpha) recursion in log space over the
 * label sequence extended with blanks, {@code [blank, y1, blank, y2, ..., blank]}, one step per
 * frame. Matches {@code torch.nn.functional.ctc_loss} with {@code blank=0}, losses and gradients
 * ({@code CtcLossTest}), empty and repeated labels included.
 *
 * <p>Impossible alignments (more labels and repeats than frames) are kept finite: log zero is
 * {@link #LOG_ZERO}, so such an example's loss is about {@code -LOG_ZERO}; {@link #perExample} with
 * {@code zeroInfinity} sets it (and its gradient) to zero, as torch's {@code zero_infinity}.
 */
public final class CtcLoss {
    /** The log of zero probability: finite, so that the recursion never computes inf - inf. */
    public static final float LOG_ZERO = -1e30f;

    private CtcLoss() {}

    /**
     * Negative log-likelihood of each example's labels.
     *
     * @param logProbs {@code [B, T, V]} log probabilities (log-softmax over V; id 0 is the blank)
     * @param inputLengths {@code [B]} real frames of each example
     * @param labels {@code [B, L]} label ids in {@code [1, V)}, padded past each length
     * @param labelLengths {@code [B]} real labels of each example, 0 allowed
     * @param zeroInfinity give impossible examples loss 0 instead of about {@code -LOG_ZERO}
     * @return {@code [B]} losses on {@code logProbs}'s manager
     */
    public static NDArray perExample(
            NDArray logProbs,
            NDArray inputLengths,
            NDArray labels,
            NDArray labelLengths,
            boolean zeroInfinity) {
        NDManager m = logProbs.getManager();
        long batch = logProbs.getShape().get(0);
        long frames = logProbs.getShape().get(1);
        int maxLabels = (int) labels.getShape().get(1);
        int states = 2 * maxLabels + 1;
        int[] y = labels.toType(DataType.INT32, false).toIntArray();
        int[] ylen = labelLengths.toType(DataType.INT32, false).toIntArray();
        long[] ext = new long[(int) batch * states];
        float[] skip = new float[(int) batch * states];
        float[] start = new float[(int) batch * states];
        long[] last = new long[(int) batch];
        float[] hasPrevious = new float[(int) batch];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < states; s++) {
                int at = b * states + s;
                ext[at] = s % 2 == 0 ? 0 : y[b * maxLabels + s / 2];
                boolean canSkip = s % 2 == 1 && s >= 2 && ext[at] != ext[at - 2];
                skip[at] = canSkip ? 0f : LOG_ZERO;
                start[at] = s < 2 ? 0f : LOG_ZERO;
            }
            last[b] = 2L * ylen[b];
            hasPrevious[b] = ylen[b] > 0 ? 0f : LOG_ZERO;
        }
        Shape bs = new Shape(batch, states);
        NDArray index =
                m.create(ext, new Shape(batch, 1, states))
                        .broadcast(new Shape(batch, frames, states));
        NDArray emit = logProbs.gather(index, 2); // [B, T, S]
        NDArray skipMask = m.create(skip, bs);
        NDArray pad1 = m.full(new Shape(batch, 1), LOG_ZERO);
        NDArray pad2 = m.full(new Shape(batch, 2), LOG_ZERO);
        NDArray lengths = inputLengths.toType(DataType.INT64, false).reshape(batch, 1);
        NDArray alpha = emit.get(new NDIndex(":, 0, :")).add(m.create(start, bs));
        for (long t = 1; t < frames; t++) {
            NDArray stay = alpha;
            NDArray advance = pad1.concat(alpha.get(new NDIndex(":, :-1")), 1);
            NDArray jump =
                    states > 2
                            ? pad2.concat(alpha.get(new NDIndex(":, :-2")), 1).add(skipMask)
                            : m.full(bs, LOG_ZERO);
            NDArray next =
                    logSumExp3(stay, advance, jump).add(emit.get(new NDIndex(":, {}, :", t)));
            NDArray active = lengths.gt(t).broadcast(bs);
            alpha = ai.djl.ndarray.NDArrays.where(active, next, alpha);
        }
        NDArray lastIndex = m.create(last, new Shape(batch, 1));
        NDArray endBlank = alpha.gather(lastIndex, 1);
        NDArray endLabel =
                alpha.gather(lastIndex.sub(1).maximum(0), 1)
                        .add(m.create(hasPrevious, new Shape(batch, 1)));
        NDArray loss = logSumExp2(endBlank, endLabel).neg().reshape(batch);
        if (zeroInfinity) {
            loss =
                    ai.djl.ndarray.NDArrays.where(
                            loss.gt(-LOG_ZERO / 2), m.zeros(loss.getShape()), loss);
        }
        return loss;
    }

    /**
     * torch's {@code reduction="mean"}: each example's loss divided by its label count (at least
     * 1), averaged over the examples with {@code weights} ({@code [B]}, 0 for padding examples).
     */
    public static NDArray mean(NDArray perExample, NDArray labelLengths, NDArray weights) {
        NDArray perLabel = perExample.div(labelLengths.toType(DataType.FLOAT32, false).maximum(1));
        return perLabel.mul(weights).sum().div(weights.sum().maximum(1e-9f));
    }

    private static NDArray logSumExp2(NDArray a, NDArray b) {
        NDArray max = a.maximum(b).stopGradient();
        return max.add(a.sub(max).exp().add(b.sub(max).exp()).log());
    }

    private static NDArray logSumExp3(NDArray a, NDArray b, NDArray c) {
        NDArray max = a.maximum(b).maximum(c).stopGradient();
        return max.add(a.sub(max).exp().add(b.sub(max).exp()).add(c.sub(max).exp()).log());
    }
}
