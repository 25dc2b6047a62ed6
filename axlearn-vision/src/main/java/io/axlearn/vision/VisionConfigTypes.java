package io.axlearn.vision;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.vision.input.IdxImageSource;
import io.axlearn.vision.input.ImageFolderSource;
import io.axlearn.vision.input.ImageProcessors;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-vision}'s config classes. */
public final class VisionConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.of(
                "vision/IdxImageSource",
                IdxImageSource.class,
                "vision/FashionMnistSource",
                io.axlearn.vision.input.FashionMnistSource.class,
                "vision/ImageFolderSource",
                ImageFolderSource.class,
                "vision/Normalize",
                ImageProcessors.Normalize.class,
                "vision/RandomFlip",
                ImageProcessors.RandomFlip.class,
                "vision/RandomCrop",
                ImageProcessors.RandomCrop.class);
    }
}
