package io.axlearn.examples.text;

import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.text.input.SequenceClassificationSource;
import java.util.Arrays;
import java.util.Random;

/**
 * A bag-of-words logistic-regression baseline for binary text classification, in plain Java: the
 * features of an example are the distinct token ids of its {@link
 * SequenceClassificationSource#INPUTS} under the input mask (so it sees exactly the tokens the BERT
 * classifier sees), each with value 1, plus a bias; trained by SGD on the log loss with L2
 * regularisation, the examples visited in a seeded random order each epoch.
 */
final class BagOfWordsBaseline {
    private final double[] weights;
    private double bias;

    private BagOfWordsBaseline(int vocabSize) {
        weights = new double[vocabSize];
    }

    /** Held-out counts and the metrics derived from them. */
    record Scores(long tp, long fp, long fn, long tn) {
        double accuracy() {
            return (double) (tp + tn) / (tp + fp + fn + tn);
        }

        double precision() {
            return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        }

        double recall() {
            return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        }

        double f1() {
            return 2 * tp + fp + fn == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
        }

        /** Accuracy of always predicting the majority class. */
        double majorityAccuracy() {
            long positives = tp + fn;
            long total = tp + fp + fn + tn;
            return (double) Math.max(positives, total - positives) / total;
        }
    }

    /**
     * Trains on {@code train}.
     *
     * @param positive the label id of the positive class; every other id is negative
     */
    static BagOfWordsBaseline train(
            ExampleSource train,
            int vocabSize,
            int positive,
            int epochs,
            double learningRate,
            double l2,
            long seed) {
        BagOfWordsBaseline model = new BagOfWordsBaseline(vocabSize);
        int[][] features = new int[(int) train.size()][];
        int[] targets = new int[features.length];
        for (int i = 0; i < features.length; i++) {
            Example e = train.get(i);
            features[i] = bag(e);
            targets[i] = e.ints(SequenceClassificationSource.LABELS)[0] == positive ? 1 : 0;
        }
        Random rnd = new Random(seed);
        int[] order = new int[features.length];
        Arrays.setAll(order, i -> i);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i : order) {
                double p = model.probability(features[i]);
                double g = p - targets[i]; // d(log loss)/d(logit)
                for (int id : features[i]) {
                    model.weights[id] -= learningRate * (g + l2 * model.weights[id]);
                }
                model.bias -= learningRate * g;
            }
        }
        return model;
    }

    /** Counts on {@code eval}: predicted positive where the probability is above 1/2. */
    Scores score(ExampleSource eval, int positive) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        for (long i = 0; i < eval.size(); i++) {
            Example e = eval.get(i);
            boolean actual = e.ints(SequenceClassificationSource.LABELS)[0] == positive;
            boolean predicted = probability(bag(e)) > 0.5;
            if (predicted && actual) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (actual) {
                fn++;
            } else {
                tn++;
            }
        }
        return new Scores(tp, fp, fn, tn);
    }

    private double probability(int[] bag) {
        double z = bias;
        for (int id : bag) {
            z += weights[id];
        }
        return 1 / (1 + Math.exp(-z));
    }

    /** The distinct ids under the mask, sorted. */
    private static int[] bag(Example e) {
        int[] ids = e.ints(SequenceClassificationSource.INPUTS);
        int[] mask = e.ints(SequenceClassificationSource.INPUT_MASK);
        return java.util.stream.IntStream.range(0, ids.length)
                .filter(t -> mask[t] == 1)
                .map(t -> ids[t])
                .distinct()
                .sorted()
                .toArray();
    }
}
