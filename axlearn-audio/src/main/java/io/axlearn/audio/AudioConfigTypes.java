package io.axlearn.audio;

import io.axlearn.audio.asr.ConformerLayer;
import io.axlearn.audio.asr.ConvSubsampler;
import io.axlearn.audio.asr.CtcModel;
import io.axlearn.audio.frontend.KaldiFbank;
import io.axlearn.audio.frontend.SpecAugment;
import io.axlearn.audio.input.CharVocab;
import io.axlearn.audio.input.ClipPerturbation;
import io.axlearn.audio.input.ManifestSource;
import io.axlearn.audio.input.SpokenDigitsSource;
import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-audio}'s config classes. */
public final class AudioConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        Map<String, Class<? extends ConfigBase<?>>> types = new LinkedHashMap<>();
        types.put("audio/ManifestSource", ManifestSource.class);
        types.put("audio/SpokenDigitsSource", SpokenDigitsSource.class);
        types.put("audio/ClipPerturbation", ClipPerturbation.Config.class);
        types.put("audio/CharVocab", CharVocab.Config.class);
        types.put("audio/KaldiFbank", KaldiFbank.Config.class);
        types.put("audio/SpecAugment", SpecAugment.Config.class);
        types.put("audio/ConvSubsampler", ConvSubsampler.Config.class);
        types.put("audio/ConformerLayer", ConformerLayer.Config.class);
        types.put("audio/CtcModel", CtcModel.Config.class);
        return types;
    }
}
