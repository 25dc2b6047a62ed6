package io.axlearn.text.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteTextSourceTest {
    @TempDir Path dir;

    @Test
    void windows_shiftTargetsByOneAndHoldOutTheTail() throws IOException {
        Path file = dir.resolve("c.txt");
        Files.writeString(file, "abcdefghijklmnopqrstuvwxyz0123"); // 30 bytes
        ExampleSource train =
                new ByteTextSource()
                        .path(file.toString())
                        .seqLen(4)
                        .evalFraction(0.2)
                        .instantiate();
        ExampleSource eval =
                new ByteTextSource()
                        .path(file.toString())
                        .seqLen(4)
                        .evalFraction(0.2)
                        .split(ByteTextSource.Split.EVAL)
                        .instantiate();
        // 24 train bytes -> (24 - 1) / 4 = 5 windows; 6 eval bytes -> 1 window.
        assertEquals(5, train.size());
        assertEquals(1, eval.size());
        Example first = train.get(0);
        assertArrayEquals(new int[] {'a', 'b', 'c', 'd'}, first.ints(ByteTextSource.INPUTS));
        assertArrayEquals(new int[] {'b', 'c', 'd', 'e'}, first.ints(ByteTextSource.TARGETS));
        assertArrayEquals(new int[] {'e', 'f', 'g', 'h'}, train.get(1).ints(ByteTextSource.INPUTS));
        assertArrayEquals(new int[] {'y', 'z', '0', '1'}, eval.get(0).ints(ByteTextSource.INPUTS));
    }

    @Test
    void foldersAndGzipAndClasspath_areRead() throws IOException {
        Files.createDirectories(dir.resolve("corpus/sub"));
        Files.writeString(dir.resolve("corpus/a.txt"), "first");
        try (OutputStream out =
                new GZIPOutputStream(Files.newOutputStream(dir.resolve("corpus/sub/b.txt.gz")))) {
            out.write("second".getBytes(StandardCharsets.UTF_8));
        }
        byte[] all = TextFiles.read(dir.resolve("corpus").toString(), "input.source.path");
        assertEquals("first\nsecond\n", new String(all, StandardCharsets.UTF_8));
        byte[] resource = TextFiles.read("classpath:io/axlearn/text/input/sample.txt.gz", "p");
        assertEquals("In the beginning", new String(resource, 0, 16, StandardCharsets.UTF_8));
    }

    @Test
    void missingCorpus_namesConfigPathAndLocation() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new ByteTextSource()
                                        .path("/no/such/corpus.txt")
                                        .seqLen(8)
                                        .instantiateAt("input.source"));
        assertEquals(
                "input.source.path: no such file or folder: /no/such/corpus.txt", e.getMessage());
        ConfigException bad =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new ByteTextSource()
                                        .path("x")
                                        .seqLen(0)
                                        .instantiateAt("input.source"));
        assertEquals(
                "input.source.seqLen must be positive, got 0 (ByteTextSource)", bad.getMessage());
    }

    @Test
    void emptyCorpusOrSeqLenLongerThanTheSplit_saysWhy() throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        ConfigException none =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new ByteTextSource()
                                        .path(empty.toString())
                                        .seqLen(8)
                                        .instantiateAt("input.source"));
        assertEquals(
                "input.source.path names an empty corpus: " + empty + " (ByteTextSource)",
                none.getMessage());
        Path small = dir.resolve("small.txt");
        Files.writeString(small, "abcdefghijklmnopqrstuvwxyz0123"); // 30 bytes: 24 train, 6 eval
        ConfigException longer =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new ByteTextSource()
                                        .path(small.toString())
                                        .seqLen(6)
                                        .evalFraction(0.2)
                                        .split(ByteTextSource.Split.EVAL)
                                        .instantiateAt("evalers[validation].input.source"));
        assertEquals(
                "evalers[validation].input.source.seqLen is 6, but the EVAL split of "
                        + small
                        + " has 6 of its 30 bytes; one example needs seqLen + 1 = 7"
                        + " (ByteTextSource)",
                longer.getMessage());
        assertEquals(
                1,
                new ByteTextSource()
                        .path(small.toString())
                        .seqLen(5)
                        .evalFraction(0.2)
                        .split(ByteTextSource.Split.EVAL)
                        .instantiate()
                        .size());
    }
}
