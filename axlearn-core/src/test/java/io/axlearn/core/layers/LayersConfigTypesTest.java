package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.core.config.ConfigTypes;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LayersConfigTypesTest {

    @Test
    void provider_isListedForServiceLoader_andItsNamesResolve() {
        assertTrue(
                ServiceLoader.load(ConfigTypeProvider.class).stream()
                        .anyMatch(p -> p.type() == LayersConfigTypes.class),
                "LayersConfigTypes is not in META-INF/services");
        var types = new LayersConfigTypes().configTypes();
        types.forEach(
                (name, type) -> {
                    assertEquals(type, ConfigTypes.classOf(name), name);
                    assertEquals(name, ConfigTypes.nameOf(type).orElseThrow(), name);
                    assertEquals("core/" + type.getEnclosingClass().getSimpleName(), name);
                });
        assertEquals(13, types.size());
    }

    @Test
    void convAndNormConfigs_roundTripThroughJson() {
        Conv2d.Config conv =
                Conv2d.config()
                        .inputDim(4)
                        .outputDim(8)
                        .kernelSize(3, 2)
                        .strides(2, 1)
                        .dilation(1, 2)
                        .groups(2)
                        .bias(false)
                        .padding(new ConvPadding.Explicit(List.of(List.of(1, 0), List.of(2, 1))));
        String json = ConfigJson.toJson(conv);
        assertTrue(json.contains("\"@type\" : \"core/Conv2d\""), json);
        assertTrue(json.contains("\"@type\" : \"explicit\""), json);
        Conv2d.Config back = ConfigJson.fromJson(json, Conv2d.Config.class);
        assertEquals(conv, back);
        assertEquals(
                conv.instantiate().paramSpecs().get("weight").shape(),
                back.instantiate().paramSpecs().get("weight").shape());

        BatchNorm.Config bn = BatchNorm.config().inputDim(3).channelAxis(-1).decay(0.9);
        assertEquals(bn, ConfigJson.fromJson(ConfigJson.toJson(bn), BatchNorm.Config.class));
        Pool2d.Config pool =
                Pool2d.config()
                        .kind(Pool2d.Kind.AVG)
                        .kernelSize(3, 3)
                        .strides(2, 2)
                        .padding(new ConvPadding.Same());
        assertEquals(pool, ConfigJson.fromJson(ConfigJson.toJson(pool), Pool2d.Config.class));
    }
}
