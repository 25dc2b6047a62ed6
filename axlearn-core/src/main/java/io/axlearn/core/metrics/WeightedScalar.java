package io.axlearn.core.metrics;

/**
 * A mean with the total weight behind it, so that means over parts combine into the mean over the
 * whole (axlearn's {@code WeightedScalar}): padding examples carry weight 0 and change nothing.
 *
 * @param mean the weighted mean (0 when {@code weight} is 0)
 * @param weight the total weight, at least 0
 */
public record WeightedScalar(double mean, double weight) {

    /** Nothing observed yet. */
    public static final WeightedScalar EMPTY = new WeightedScalar(0, 0);

    public WeightedScalar {
        if (!(weight >= 0)) {
            throw new IllegalArgumentException("weight must be >= 0, got " + weight);
        }
    }

    /** The weighted mean of this and {@code other}. */
    public WeightedScalar plus(WeightedScalar other) {
        double total = weight + other.weight;
        if (total == 0) {
            return EMPTY;
        }
        return new WeightedScalar((mean * weight + other.mean * other.weight) / total, total);
    }
}
