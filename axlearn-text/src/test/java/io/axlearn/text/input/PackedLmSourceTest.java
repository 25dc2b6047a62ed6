package io.axlearn.text.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.text.lm.CausalLm;
import io.axlearn.text.tokenizers.ByteTokenizer;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.text.tokenizers.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackedLmSourceTest {
    @TempDir Path dir;

    private PackedLmSource bytes(Path file) {
        return new PackedLmSource()
                .path(file.toString())
                .tokenizer(ByteTokenizer.config().eosId(0))
                .seqLen(4)
                .evalFraction(0.3)
                .segmentIds(true);
    }

    @Test
    void documents_areJoinedAfterEos_packedIntoWindows_withSegmentsAndPositions()
            throws IOException {
        Path file = dir.resolve("docs.txt");
        // Five documents between blank lines (the blank run of three lines is one separator).
        Files.writeString(file, "ab\n\ncd\n\n\n\nefg\n \nhi\n\njk");
        // Stream: 0 a b 0 c d 0 e f g 0 h i 0 j k (16 ids); the last 30% (from id 11) held out.
        ExampleSource train = bytes(file).instantiate();
        assertEquals(2, train.size(), "(11 - 1) / 4 windows");
        Example first = train.get(0);
        assertArrayEquals(new int[] {0, 'a', 'b', 0}, first.ints(CausalLm.INPUTS));
        assertArrayEquals(new int[] {'a', 'b', 0, 'c'}, first.ints(CausalLm.TARGETS));
        assertArrayEquals(new int[] {1, 1, 1, 2}, first.ints(CausalLm.SEGMENT_IDS));
        assertArrayEquals(new int[] {0, 1, 2, 0}, first.ints(CausalLm.POSITIONS));
        Example second = train.get(1);
        // Windows overlap by one id: the first window's last target is the second's first input.
        assertArrayEquals(new int[] {'c', 'd', 0, 'e'}, second.ints(CausalLm.INPUTS));
        assertArrayEquals(new int[] {'d', 0, 'e', 'f'}, second.ints(CausalLm.TARGETS));
        assertArrayEquals(new int[] {1, 1, 2, 2}, second.ints(CausalLm.SEGMENT_IDS));
        assertArrayEquals(new int[] {0, 1, 0, 1}, second.ints(CausalLm.POSITIONS));

        ExampleSource eval = bytes(file).split(ByteTextSource.Split.EVAL).instantiate();
        assertEquals(1, eval.size());
        assertArrayEquals(new int[] {'h', 'i', 0, 'j'}, eval.get(0).ints(CausalLm.INPUTS));
        assertArrayEquals(new int[] {'i', 0, 'j', 'k'}, eval.get(0).ints(CausalLm.TARGETS));
        assertArrayEquals(new int[] {1, 1, 2, 2}, eval.get(0).ints(CausalLm.SEGMENT_IDS));

        ExampleSource plain = bytes(file).segmentIds(false).instantiate();
        assertEquals(
                java.util.Set.of(CausalLm.INPUTS, CausalLm.TARGETS),
                plain.get(0).features().keySet());
        assertEquals(first, bytes(file).instantiate().get(0), "deterministic");
    }

    @Test
    void gpt2Windows_decodeBackToTheCorpusDocuments() throws IOException {
        List<String> documents = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            documents.add(
                    "Chapter "
                            + i
                            + ": In the beginning God created the heaven and the earth, and"
                            + " the earth was without form ("
                            + i * 7
                            + " verses).\nAnd God said, Let there be light.");
        }
        Path file = dir.resolve("chapters.txt");
        Files.writeString(file, String.join("\n\n", documents) + "\n");
        PackedLmSource cfg =
                new PackedLmSource()
                        .path(file.toString())
                        .seqLen(32)
                        .evalFraction(0.1)
                        .tokenizer(Gpt2BpeTokenizer.gpt2());
        ExampleSource train = cfg.instantiate();
        Tokenizer gpt2 = Gpt2BpeTokenizer.gpt2().instantiate();
        int eos = gpt2.eosId().getAsInt();
        // The windows' inputs, in order, are the stream; cut at EOS they are the documents.
        List<Integer> stream = new ArrayList<>();
        for (long i = 0; i < train.size(); i++) {
            for (int id : train.get(i).ints(CausalLm.INPUTS)) {
                stream.add(id);
            }
        }
        assertEquals(eos, stream.get(0), "the first document starts after EOS");
        List<String> decoded = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int id : stream.subList(1, stream.size())) {
            if (id == eos) {
                decoded.add(decode(gpt2, current));
                current.clear();
            } else {
                current.add(id);
            }
        }
        assertTrue(decoded.size() >= 8, "most chapters are in the training split: " + decoded);
        assertEquals(documents.subList(0, decoded.size()), decoded);
    }

    private static String decode(Tokenizer tokenizer, List<Integer> ids) {
        return tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void badSettings_nameTheFieldAndWhatIsWrong() throws IOException {
        Path file = dir.resolve("docs.txt");
        Files.writeString(file, "ab\n\ncd\n\nefg\n\nhi\n\njk");
        ConfigException noEos =
                assertThrows(
                        ConfigException.class,
                        () -> bytes(file).tokenizer(ByteTokenizer.config()).instantiate());
        assertTrue(
                noEos.getMessage().startsWith("tokenizer has no end-of-sequence id"),
                noEos.getMessage());
        ConfigException regex =
                assertThrows(
                        ConfigException.class,
                        () -> bytes(file).documentSeparator("([a").instantiate());
        assertTrue(
                regex.getMessage().startsWith("documentSeparator is not a regular expression"),
                regex.getMessage());
        ConfigException tooLong =
                assertThrows(ConfigException.class, () -> bytes(file).seqLen(40).instantiate());
        assertTrue(
                tooLong.getMessage().contains("one example needs seqLen + 1 = 41"),
                tooLong.getMessage());
        ConfigException missing =
                assertThrows(
                        ConfigException.class, () -> bytes(dir.resolve("nope.txt")).instantiate());
        assertTrue(missing.getMessage().contains("nope.txt"), missing.getMessage());
    }
}
