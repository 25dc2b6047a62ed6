package io.axlearn.core.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.userlayers.ClippedNorm;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigTypes;
import io.axlearn.core.config.ConfigValues;
import io.axlearn.core.config.FrozenConfigException;
import io.axlearn.core.config.MissingRequiredException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleTest {
    static {
        // User code without a service file registers its types at run time.
        ConfigTypes.register("user/Block", Blocks.Block.Config.class);
        ConfigTypes.register("user/ClippedNorm", ClippedNorm.Config.class);
    }

    @Test
    void parentWritesOwnedDimsIntoCopiesOfChildConfig() {
        Blocks.Block.Config cfg = new Blocks.Block.Config().modelDim(4);
        Blocks.Block block = cfg.instantiate();
        assertEquals("scale(4) -> scale(8)", block.describe());
        assertNull(cfg.norm().inputDim(), "the parent edits copies, never the caller's config");
        assertEquals(List.of("preNorm", "postNorm"), List.copyOf(block.children().keySet()));
        assertEquals("preNorm", block.children().get("preNorm").path());
        assertSame(block, block.children().get("postNorm").parent());
    }

    @Test
    void userSubclassOfLibraryConfig_plugsIntoChildSlot() {
        Blocks.Block.Config cfg =
                new Blocks.Block.Config().modelDim(3).norm(new ClippedNorm.Config().clip(0.5));
        assertEquals("clipped(3, 0.5) -> clipped(6, 0.5)", cfg.instantiate().describe());
        // The user's field is reachable by path like any library field.
        cfg.set("norm.clip", ConfigValues.parse("2.5"));
        assertEquals("clipped(3, 2.5) -> clipped(6, 2.5)", cfg.instantiate().describe());
        assertEquals(
                String.join(
                        "\n",
                        "@type: user/Block",
                        "modelDim: 3",
                        "norm.@type: user/ClippedNorm",
                        "norm.clip: 2.5"),
                cfg.toString());
    }

    @Test
    void userType_registeredAtRunTime_roundTripsThroughJson() {
        Blocks.Block.Config cfg =
                new Blocks.Block.Config().modelDim(2).norm(new ClippedNorm.Config().clip(0.25));
        String json = ConfigJson.toJson(cfg);
        assertTrue(json.contains("\"@type\" : \"user/ClippedNorm\""), json);
        assertEquals(cfg, ConfigJson.fromJson(json, Blocks.Block.Config.class));
    }

    @Test
    void childValidationError_namesFullConfigPath() {
        Blocks.Block.Config cfg =
                new Blocks.Block.Config().modelDim(3).norm(new ClippedNorm.Config().clip(-1));
        ConfigException e = assertThrows(ConfigException.class, () -> cfg.instantiateAt("model"));
        assertEquals(
                "model.norm.clip must be positive, got -1.0 (ClippedNorm.Config)", e.getMessage());
        MissingRequiredException missing =
                assertThrows(
                        MissingRequiredException.class,
                        () -> new Blocks.Block.Config().instantiateAt("model"));
        assertEquals("model.modelDim is required (Block.Config)", missing.getMessage());
    }

    @Test
    void moduleConfig_isFrozen() {
        Blocks.Block block = new Blocks.Block.Config().modelDim(4).instantiate();
        Blocks.Block.Config frozen = (Blocks.Block.Config) block.getConfig();
        assertThrows(FrozenConfigException.class, () -> frozen.modelDim(5));
        assertEquals(4, frozen.get("modelDim"));
    }
}
