package io.axlearn.vision;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.input.FashionMnistSource;
import io.axlearn.vision.input.IdxImageSource;
import io.axlearn.vision.input.ImageFolderSource;
import io.axlearn.vision.input.ImageProcessors;
import io.axlearn.vision.input.MnistJsonSource;
import io.axlearn.vision.resnet.ResNet;
import io.axlearn.vision.resnet.ResNetBlock;
import io.axlearn.vision.vit.VisionTransformer;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-vision}'s config classes. */
public final class VisionConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        Map<String, Class<? extends ConfigBase<?>>> types = new LinkedHashMap<>();
        types.put("vision/IdxImageSource", IdxImageSource.class);
        types.put("vision/FashionMnistSource", FashionMnistSource.class);
        types.put("vision/ImageFolderSource", ImageFolderSource.class);
        types.put("vision/MnistJsonSource", MnistJsonSource.class);
        types.put("vision/Normalize", ImageProcessors.Normalize.class);
        types.put("vision/RandomFlip", ImageProcessors.RandomFlip.class);
        types.put("vision/RandomCrop", ImageProcessors.RandomCrop.class);
        types.put("vision/ResNet", ResNet.Config.class);
        types.put("vision/ResNetBlock", ResNetBlock.Config.class);
        types.put("vision/VisionTransformer", VisionTransformer.Config.class);
        types.put("vision/ImageClassifier", ImageClassifier.Config.class);
        return types;
    }
}
