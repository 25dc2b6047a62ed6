package io.axlearn.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.axlearn.core.config.ConfigPath.Field;
import io.axlearn.core.config.ConfigPath.Item;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigPathTest {

    @Test
    void parse_fieldsItemsAndType() {
        assertEquals(
                List.of(
                        new Field("model"),
                        new Field("layers"),
                        new Item("0"),
                        new Field("norm"),
                        new Field("@type")),
                ConfigPath.parse("model.layers[0].norm.@type").segments());
        assertEquals(
                List.of(new Field("evalers"), new Item("validation"), new Item("x.y")),
                ConfigPath.parse("evalers[validation][x.y]").segments());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a..b", ".a", "a.", "a[", "a[]", "[0]", "a]b", "a.1b", "a[0]b"})
    void parse_malformed_isRefused(String path) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigPath.parse(path));
        assertEquals(true, e.getMessage().contains("path"), e.getMessage());
    }
}
