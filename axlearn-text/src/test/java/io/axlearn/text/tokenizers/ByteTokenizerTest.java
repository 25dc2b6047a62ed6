package io.axlearn.text.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.axlearn.core.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {
    @Test
    void utf8Bytes_roundTrip() {
        Tokenizer t = ByteTokenizer.config().instantiate();
        String text = "Léo says 你好 🙂";
        int[] ids = t.encode(text);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length);
        assertArrayEquals(new int[] {76, 0xC3, 0xA9}, Arrays.copyOf(ids, 3));
        assertEquals(text, t.decode(ids));
        assertEquals(256, t.vocabSize());
        assertEquals(OptionalInt.empty(), t.eosId());
        assertEquals(OptionalInt.of(0), ByteTokenizer.config().eosId(0).instantiate().eosId());
    }

    @Test
    void badIdsAndEos_areClearErrors() {
        Tokenizer t = ByteTokenizer.config().instantiate();
        assertEquals(
                "id 300 at 1 is not a byte (ByteTokenizer)",
                assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {1, 300}))
                        .getMessage());
        assertThrows(ConfigException.class, () -> ByteTokenizer.config().eosId(256).instantiate());
    }
}
