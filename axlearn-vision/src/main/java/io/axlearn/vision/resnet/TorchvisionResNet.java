package io.axlearn.vision.resnet;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a torchvision ResNet state dict ({@code torchvision.models.resnet18().state_dict()}, saved
 * for example with {@code safetensors.torch.save_file}) into the parameter paths of {@link ResNet}
 * and an {@link io.axlearn.vision.classifier.ImageClassifier} head:
 *
 * <pre>
 *   conv1.weight                       stem_conv/weight
 *   bn1.{weight,bias}                  stem_norm/{scale,bias}
 *   bn1.{running_mean,running_var}     stem_norm/{moving_mean,moving_variance}
 *   layer{s+1}.{b}.conv{i}.weight      stage{s}_block{b}/conv{i}/weight
 *   layer{s+1}.{b}.bn{i}.*             stage{s}_block{b}/norm{i}/*
 *   layer{s+1}.{b}.downsample.0.weight stage{s}_block{b}/shortcut_conv/weight
 *   layer{s+1}.{b}.downsample.1.*      stage{s}_block{b}/shortcut_norm/*
 *   fc.weight [classes, D]             head/weight [D, classes] (transposed)
 *   fc.bias                            head/bias
 * </pre>
 *
 * Convolution weights keep torch's {@code [out, in, kh, kw]} layout; {@code num_batches_tracked} is
 * dropped. Build the ResNet with the ImageNet stem and the matching preset ({@link
 * ResNet#resnet18()} for resnet18).
 */
public final class TorchvisionResNet {
    private static final Pattern BLOCK =
            Pattern.compile(
                    "layer(\\d+)\\.(\\d+)\\.(conv\\d|bn\\d|downsample\\.0|downsample\\.1)\\.(\\w+)");

    private TorchvisionResNet() {}

    /**
     * Our path of a torchvision state-dict key, or {@code null} for {@code num_batches_tracked}.
     *
     * @param key a torchvision ResNet key such as {@code layer2.0.downsample.1.running_var}
     * @param encoderPrefix prefix of the backbone's paths ({@code "encoder/"} inside an
     *     ImageClassifier, {@code ""} for a bare ResNet)
     * @param headPrefix prefix of the classifier head ({@code "head/"})
     * @throws IllegalArgumentException for a key that is not a torchvision ResNet's
     */
    public static String path(String key, String encoderPrefix, String headPrefix) {
        if (key.endsWith("num_batches_tracked")) {
            return null;
        }
        if (key.equals("fc.weight") || key.equals("fc.bias")) {
            return headPrefix + key.substring(3);
        }
        if (key.startsWith("conv1.")) {
            return encoderPrefix + "stem_conv/" + key.substring(6);
        }
        if (key.startsWith("bn1.")) {
            return encoderPrefix + "stem_norm/" + normParam(key, key.substring(4));
        }
        Matcher m = BLOCK.matcher(key);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a torchvision ResNet parameter: " + key);
        }
        int stage = Integer.parseInt(m.group(1)) - 1;
        String module = m.group(3);
        String param = m.group(4);
        String child;
        if (module.startsWith("conv")) {
            child = module;
        } else if (module.startsWith("bn")) {
            child = "norm" + module.substring(2);
        } else {
            child = module.endsWith("0") ? "shortcut_conv" : "shortcut_norm";
        }
        String name =
                child.endsWith("conv") || child.startsWith("conv") ? param : normParam(key, param);
        return encoderPrefix + "stage" + stage + "_block" + m.group(2) + "/" + child + "/" + name;
    }

    private static String normParam(String key, String torchName) {
        return switch (torchName) {
            case "weight" -> "scale";
            case "bias" -> "bias";
            case "running_mean" -> "moving_mean";
            case "running_var" -> "moving_variance";
            default ->
                    throw new IllegalArgumentException(
                            "not a torchvision ResNet parameter: " + key);
        };
    }

    /**
     * The state dict in our paths and layouts (the fc weight transposed); the arrays are the given
     * ones or, for the transposed head weight, new arrays on its manager.
     *
     * @param stateDict torchvision key to tensor
     * @param encoderPrefix prefix of the backbone's paths ({@code "encoder/"} in a classifier)
     * @param headPrefix prefix of the head's paths ({@code "head/"})
     */
    public static Map<String, NDArray> toParams(
            Map<String, NDArray> stateDict, String encoderPrefix, String headPrefix) {
        Map<String, NDArray> out = new TreeMap<>();
        stateDict.forEach(
                (key, value) -> {
                    String p = path(key, encoderPrefix, headPrefix);
                    if (p != null) {
                        out.put(p, key.equals("fc.weight") ? value.transpose() : value);
                    }
                });
        return out;
    }
}
