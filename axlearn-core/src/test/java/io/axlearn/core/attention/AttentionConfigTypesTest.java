package io.axlearn.core.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.core.config.ConfigTypes;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.RmsNorm;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class AttentionConfigTypesTest {

    @Test
    void provider_isListedForServiceLoader_andItsNamesResolve() {
        assertTrue(
                ServiceLoader.load(ConfigTypeProvider.class).stream()
                        .anyMatch(p -> p.type() == AttentionConfigTypes.class),
                "AttentionConfigTypes is not in META-INF/services");
        new AttentionConfigTypes()
                .configTypes()
                .forEach(
                        (name, type) -> {
                            assertEquals(type, ConfigTypes.classOf(name), name);
                            assertEquals(name, ConfigTypes.nameOf(type).orElseThrow(), name);
                        });
        assertEquals(5, new AttentionConfigTypes().configTypes().size());
    }

    @Test
    void llamaStyleStack_roundTripsThroughJson() {
        TransformerLayer.Config layer =
                TransformerLayer.config()
                        .norm(RmsNorm.config())
                        .feedForward(
                                FeedForward.config()
                                        .gated(true)
                                        .activation(Activation.SILU)
                                        .hiddenDim(new HiddenDim.Scaled(8.0 / 3, 16)));
        layer.set("selfAttention.numHeads", 4)
                .set("selfAttention.numKvHeads", 2)
                .set("selfAttention.rotary", RotaryEmbedding.config())
                .set("selfAttention.causal", true);
        StackedTransformer.Config cfg =
                StackedTransformer.config().inputDim(32).numLayers(2).layer(layer);
        String json = ConfigJson.toJson(cfg);
        for (String type :
                new String[] {
                    "core/StackedTransformer",
                    "core/TransformerLayer",
                    "core/MultiheadAttention",
                    "core/FeedForward",
                    "core/RmsNorm"
                }) {
            assertTrue(json.contains("\"@type\" : \"" + type + "\""), type + " in " + json);
        }
        StackedTransformer.Config back = ConfigJson.fromJson(json, StackedTransformer.Config.class);
        assertEquals(cfg, back);
        assertInstanceOf(RmsNorm.Config.class, back.layer().get("norm"));
        assertEquals(
                cfg.instantiate().paramSpecs().keySet(), back.instantiate().paramSpecs().keySet());
        assertEquals(
                96,
                back.instantiate()
                        .paramSpecs()
                        .get("layer1/feed_forward/linear1_0/weight")
                        .shape()
                        .get(1));
    }
}
