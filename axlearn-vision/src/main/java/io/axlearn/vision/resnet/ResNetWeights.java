package io.axlearn.vision.resnet;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.io.Layout;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision ResNet names ({@code torchvision.models.resnet18()} ... {@code resnet152()}) against
 * an {@link io.axlearn.vision.classifier.ImageClassifier} whose encoder is a {@link ResNet} with
 * the ImageNet stem: the name map of {@link TorchvisionResNet} (BatchNorm {@code
 * running_mean}/{@code running_var} are our {@code moving_mean}/{@code moving_variance}, {@code fc}
 * is the transposed {@code head}), in both directions. {@code num_batches_tracked} counters are
 * dropped on import and not written on export (torch's eval mode does not read them).
 */
public final class ResNetWeights implements WeightFamily {
    private static final String ENCODER = "encoder/";
    private static final String HEAD = "head/";
    private static final Pattern OUR_BLOCK =
            Pattern.compile(
                    "encoder/stage(\\d+)_block(\\d+)/(conv\\d|norm\\d|shortcut_conv|shortcut_norm)/(\\w+)");

    @Override
    public String name() {
        return "resnet";
    }

    @Override
    public String format() {
        return "torch";
    }

    @Override
    public String description() {
        return "torchvision ResNet <-> vision/ImageClassifier with a vision/ResNet (ImageNet stem)";
    }

    @Override
    public WeightMap forForeign(Collection<String> names) {
        WeightMap.Builder b = builder();
        for (String n : names) {
            String ours;
            try {
                ours = TorchvisionResNet.path(n, ENCODER, HEAD);
            } catch (IllegalArgumentException e) {
                continue; // reported as an unknown tensor by the map
            }
            if (ours != null) {
                b.add(n, ours, n.equals("fc.weight") ? Layout.TRANSPOSED : Layout.AS_IS);
            }
        }
        return b.build();
    }

    @Override
    public WeightMap forOurs(Collection<String> paths) {
        WeightMap.Builder b = builder();
        for (String p : paths) {
            String t = torchName(p);
            b.add(t, p, t.equals("fc.weight") ? Layout.TRANSPOSED : Layout.AS_IS);
        }
        return b.build();
    }

    private static WeightMap.Builder builder() {
        return WeightMap.builder("resnet").drop(".*num_batches_tracked");
    }

    /**
     * The torchvision name of one of our paths (the inverse of {@link TorchvisionResNet#path}).
     *
     * @throws ConfigException for a path that is not an ImageClassifier-with-ResNet parameter
     */
    public static String torchName(String path) {
        if (path.startsWith(HEAD)) {
            return "fc." + path.substring(HEAD.length());
        }
        if (path.equals(ENCODER + "stem_conv/weight")) {
            return "conv1.weight";
        }
        if (path.startsWith(ENCODER + "stem_norm/")) {
            return "bn1." + torchNorm(path, path.substring((ENCODER + "stem_norm/").length()));
        }
        Matcher m = OUR_BLOCK.matcher(path);
        if (!m.matches()) {
            throw new ConfigException("resnet: no torchvision name for parameter " + path);
        }
        String block = "layer" + (Integer.parseInt(m.group(1)) + 1) + "." + m.group(2) + ".";
        String child = m.group(3);
        String param = m.group(4);
        return switch (child) {
            case "shortcut_conv" -> block + "downsample.0." + param;
            case "shortcut_norm" -> block + "downsample.1." + torchNorm(path, param);
            default ->
                    child.startsWith("conv")
                            ? block + child + "." + param
                            : block + "bn" + child.substring(4) + "." + torchNorm(path, param);
        };
    }

    private static String torchNorm(String path, String ours) {
        return switch (ours) {
            case "scale" -> "weight";
            case "bias" -> "bias";
            case "moving_mean" -> "running_mean";
            case "moving_variance" -> "running_var";
            default ->
                    throw new ConfigException("resnet: no torchvision name for parameter " + path);
        };
    }
}
