package io.axlearn.multimodal;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.multimodal.clip.CaptionProcessor;
import io.axlearn.multimodal.clip.ClipModel;
import io.axlearn.multimodal.clip.ImageAttribute;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-multimodal}'s config classes. */
public final class MultimodalConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        Map<String, Class<? extends ConfigBase<?>>> types = new LinkedHashMap<>();
        types.put("multimodal/ClipModel", ClipModel.Config.class);
        types.put("multimodal/CaptionProcessor", CaptionProcessor.class);
        types.put("multimodal/ImageAttribute", ImageAttribute.class);
        return types;
    }
}
