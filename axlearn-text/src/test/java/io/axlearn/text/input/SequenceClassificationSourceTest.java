package io.axlearn.text.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceClassificationSourceTest {
    @TempDir Path dir;

    private static final Tokenizer BERT = WordPieceTokenizer.bertBaseUncased().instantiate();

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static SequenceClassificationSource.Source source(
            Path file, int seqLen, SequenceClassificationSource.Split split) {
        return (SequenceClassificationSource.Source)
                new SequenceClassificationSource()
                        .path(file.toString())
                        .seqLen(seqLen)
                        .split(split)
                        .heldOutEvery(3)
                        .instantiate();
    }

    @Test
    void jsonLines_frameTextWithClsAndSep_padAndMask_andSortLabels() throws IOException {
        Path file =
                write(
                        "rows.jsonl",
                        "{\"text\": \"Hello world, i like strawberries.\", \"label\": \"pos\"}\n"
                                + "\n"
                                + "{\"label\": \"neg\", \"text\": \"no\", \"extra\": 1}\n"
                                + "{\"text\": \"a b c d e f g h i j k l m n o p\", \"label\": \"mid\"}\n");
        SequenceClassificationSource.Source all =
                source(file, 12, SequenceClassificationSource.Split.ALL);
        assertEquals(List.of("mid", "neg", "pos"), all.labels());
        assertEquals(3, all.size());

        Example first = all.get(0);
        // data.md §2.3: bert-base-uncased ids of the test sentence, [CLS] and [SEP] included.
        int[] expected = {101, 7592, 2088, 1010, 1045, 2066, 13137, 20968, 1012, 102, 0, 0};
        int[] inputs = first.ints(SequenceClassificationSource.INPUTS);
        expected[10] = BERT.padId();
        expected[11] = BERT.padId();
        assertArrayEquals(expected, inputs);
        assertArrayEquals(
                new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
                first.ints(SequenceClassificationSource.INPUT_MASK));
        assertArrayEquals(new int[] {2}, first.ints(SequenceClassificationSource.LABELS));
        assertArrayEquals(new int[] {1}, all.get(1).ints(SequenceClassificationSource.LABELS));

        // A long text is cut to seqLen and still ends with [SEP].
        int[] cut = all.get(2).ints(SequenceClassificationSource.INPUTS);
        assertEquals(101, cut[0]);
        assertEquals(102, cut[11]);
        int[] letters = BERT.encode("a b c d e f g h i j");
        assertArrayEquals(letters, Arrays.copyOfRange(cut, 1, 11));
        assertEquals(12, Arrays.stream(all.get(2).ints("input_mask")).sum());
    }

    @Test
    void splits_holdOutEveryKthRow_andCoverTheFileOnce() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            b.append("{\"text\": \"row ")
                    .append(i)
                    .append("\", \"label\": ")
                    .append(i % 2)
                    .append("}\n");
        }
        Path file = write("ten.jsonl", b.toString());
        SequenceClassificationSource.Source train =
                source(file, 8, SequenceClassificationSource.Split.TRAIN);
        SequenceClassificationSource.Source heldOut =
                source(file, 8, SequenceClassificationSource.Split.HELD_OUT);
        SequenceClassificationSource.Source all =
                source(file, 8, SequenceClassificationSource.Split.ALL);
        assertEquals(7, train.size());
        assertEquals(3, heldOut.size());
        // Rows 2, 5, 8 (every third) are held out; the rest are training rows, in file order.
        assertEquals(all.get(2), heldOut.get(0));
        assertEquals(all.get(5), heldOut.get(1));
        assertEquals(all.get(8), heldOut.get(2));
        assertEquals(all.get(3), train.get(2));
        assertEquals(List.of("0", "1"), train.labels());
        // The same config gives the same examples.
        assertEquals(
                train.get(4), source(file, 8, SequenceClassificationSource.Split.TRAIN).get(4));
    }

    @Test
    void csvAndTsv_quotedFieldsWithCommasQuotesAndNewlines_andGivenLabels() throws IOException {
        Path csv =
                write(
                        "rows.csv",
                        "id,body,y\r\n"
                                + "1,\"Hello world, i like strawberries.\",spam\r\n"
                                + "2,\"she said \"\"hi\"\"\nand left\",ham\r\n"
                                + "\r\n"
                                + "3,plain,ham\r\n");
        SequenceClassificationSource.Source s =
                (SequenceClassificationSource.Source)
                        new SequenceClassificationSource()
                                .path(csv.toString())
                                .textField("body")
                                .labelField("y")
                                .labels(List.of("spam", "ham"))
                                .seqLen(16)
                                .split(SequenceClassificationSource.Split.ALL)
                                .instantiate();
        assertEquals(3, s.size());
        assertEquals(List.of("spam", "ham"), s.labels());
        assertArrayEquals(new int[] {0}, s.get(0).ints("labels"));
        assertArrayEquals(new int[] {1}, s.get(1).ints("labels"));
        int[] quoted = s.get(1).ints("inputs");
        int[] want = BERT.encode("she said \"hi\"\nand left", true);
        assertArrayEquals(want, Arrays.copyOf(quoted, want.length));

        Path tsv = write("rows.tsv", "text\tlabel\nfirst one\tb\n\"x\ty\"\ta\n");
        SequenceClassificationSource.Source t =
                source(tsv, 8, SequenceClassificationSource.Split.ALL);
        assertEquals(List.of("a", "b"), t.labels());
        assertArrayEquals(BERT.encode("x\ty", true), Arrays.copyOf(t.get(1).ints("inputs"), 4));
    }

    @Test
    void badFiles_failWithOneErrorNamingFileAndLine() throws IOException {
        Path noColumn = write("no-column.csv", "text,category\nhi,a\n");
        assertMessage(
                noColumn,
                "no-column.csv: line 1: no column \"label\"; the header has [text, category] (set"
                        + " labelField)");

        Path badJson = write("bad.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\",\n");
        assertMessage(badJson, "bad.jsonl: line 2: not a JSON object");

        Path noField =
                write("no-field.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\"}\n");
        assertMessage(noField, "no-field.jsonl: line 2: no field \"label\"; the object has [text]");

        Path columns = write("columns.csv", "text,label\n\"two\nlines\",a\nthree,a,extra\n");
        assertMessage(columns, "columns.csv: line 4: 3 columns, the header has 2");

        Path open = write("open.csv", "text,label\n\"never closed,a\n");
        assertMessage(open, "open.csv: line 2: quoted field is not closed");

        Path empty = write("empty.jsonl", "\n\n");
        assertMessage(empty, "empty.jsonl has no data rows");

        Path headerOnly = write("header.tsv", "text\tlabel\n");
        assertMessage(headerOnly, "header.tsv has no data rows");

        Path unknownLabel =
                write(
                        "labels.jsonl",
                        "{\"text\": \"a\", \"label\": \"x\"}\n"
                                + "{\"text\": \"b\", \"label\": \"maybe\"}\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new SequenceClassificationSource()
                                        .path(unknownLabel.toString())
                                        .labels(List.of("x", "y"))
                                        .seqLen(8)
                                        .instantiateAt("input.source"));
        assertTrue(
                e.getMessage()
                        .endsWith("labels.jsonl: line 2: label \"maybe\" is not in labels [x, y]"),
                e.getMessage());
        assertTrue(e.getMessage().startsWith("input.source.path: "), e.getMessage());

        Path unknownFormat = write("rows.txt", "text,label\n");
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new SequenceClassificationSource()
                                        .path(unknownFormat.toString())
                                        .seqLen(8)
                                        .instantiateAt("s"));
        assertTrue(e.getMessage().startsWith("s.format"), e.getMessage());
    }

    private static void assertMessage(Path file, String tail) {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new SequenceClassificationSource()
                                        .path(file.toString())
                                        .seqLen(8)
                                        .instantiateAt("input.source"));
        assertTrue(e.getMessage().contains(tail), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void roundTripsThroughJson_andAnInputResumesExactly() throws IOException {
        StringBuilder b = new StringBuilder("text,label\n");
        for (int i = 0; i < 40; i++) {
            b.append("text number ")
                    .append(i)
                    .append(",")
                    .append(i % 3 == 0 ? "a" : "b")
                    .append('\n');
        }
        Path file = write("forty.csv", b.toString());
        SequenceClassificationSource src =
                new SequenceClassificationSource().path(file.toString()).seqLen(8);
        assertEquals(
                src,
                ConfigJson.fromJson(ConfigJson.toJson(src), SequenceClassificationSource.class));
        Input.Config cfg =
                Input.config().source(src).batchSize(4).training(true).shuffleBufferSize(8).seed(5);
        List<Object> uninterrupted = new ArrayList<>();
        InputState saved;
        try (Input.BatchIterator it = cfg.instantiate().iterator()) {
            it.next();
            saved = it.next().stateAfter();
            for (int i = 0; i < 12; i++) { // past the end of the 36 training rows: a new epoch
                uninterrupted.add(it.next().features());
            }
        }
        List<Object> resumed = new ArrayList<>();
        try (Input.BatchIterator it = cfg.instantiate().iterator(saved)) {
            for (int i = 0; i < 12; i++) {
                Batch batch = it.next();
                resumed.add(batch.features());
            }
        }
        assertEquals(uninterrupted, resumed);
    }

    @Test
    void spamAssassinText_keepsSubjectAndBody_dropsOtherHeaders() {
        String email =
                "From x@y  Thu Aug 22 13:17:22 2002\r\n"
                        + "Received: from localhost\r\n\tby phobos\r\n"
                        + "Subject: Life insurance\r\n  - why pay more?\r\n"
                        + "Date: Wed, 21 Aug 2002\r\n"
                        + "\r\n"
                        + "Save up to 70%\r\non life insurance.\r\n";
        assertEquals(
                "Subject: Life insurance - why pay more?\n\nSave up to 70%\non life insurance.\n",
                SpamAssassin.text(email.getBytes(StandardCharsets.ISO_8859_1)));
        String longBody = "Subject: s\n\n" + "x".repeat(5_000);
        assertEquals(
                SpamAssassin.MAX_CHARS,
                SpamAssassin.text(longBody.getBytes(StandardCharsets.ISO_8859_1)).length());
    }
}
