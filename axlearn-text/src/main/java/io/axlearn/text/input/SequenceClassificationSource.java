package io.axlearn.text.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Labelled texts for sequence classification (BERT fine-tuning), read from a JSON-lines, CSV or TSV
 * file with a text column and a label column named by config.
 *
 * <p>Example {@code i} is row {@code i} of the split: {@link #INPUTS} {@code int[seqLen]} holds the
 * tokenizer's prefix ({@code [CLS]}), the text's ids cut to fit, its suffix ({@code [SEP]}) and pad
 * ids; {@link #INPUT_MASK} {@code int[seqLen]} is 1 on those real tokens and 0 on the padding; and
 * {@link #LABELS} {@code int[1]} is the label's id: its index in {@code labels}, or when {@code
 * labels} is null in the sorted distinct labels of the file (printed once to standard error, so
 * that a run can pin them with {@code --set 'input.source.labels=[...]'}; the trainer stores the
 * config, and with it a given list, in {@code config.json}).
 *
 * <p>Splits are deterministic: with {@code heldOutEvery = k}, every {@code k}-th data row ({@code i
 * % k == k - 1}) is {@link Split#HELD_OUT} and the others are {@link Split#TRAIN}; with separate
 * train and evaluation files, read each with {@link Split#ALL}. Rows are in file order; the
 * training input's shuffle mixes them. The file is parsed and tokenised once per process and shared
 * by the splits.
 *
 * <p>Formats: JSON lines (one object per line, blank lines skipped; the label may be a string,
 * number or boolean); CSV (RFC 4180: a header row, fields optionally quoted with {@code "}, {@code
 * ""} inside quotes for a quote, newlines allowed inside quotes); TSV (the same with tabs). A file
 * without rows, a missing column or field, a malformed row and a label outside a given {@code
 * labels} list fail with one {@link ConfigException} naming the file and line.
 */
public final class SequenceClassificationSource
        extends ExampleSource.Config<SequenceClassificationSource> {
    /** Name of the ids feature ({@code [CLS] text [SEP] pad...}). */
    public static final String INPUTS = "inputs";

    /** Name of the mask feature: 1 for real tokens, 0 for padding. */
    public static final String INPUT_MASK = "input_mask";

    /** Name of the label-id feature ({@code int[1]}). */
    public static final String LABELS = "labels";

    private static final Map<String, Rows> ROWS = new ConcurrentHashMap<>();
    private static final Map<String, int[][]> IDS = new ConcurrentHashMap<>();
    private static final Map<String, Boolean> LOGGED = new ConcurrentHashMap<>();

    /** How the file is written. */
    public enum Format {
        /**
         * From the name: {@code .jsonl}, {@code .ndjson} or {@code .json}; {@code .csv}; {@code
         * .tsv} (before any {@code .gz}).
         */
        AUTO,
        /** One JSON object per line. */
        JSONL,
        /** Comma-separated values with a header row. */
        CSV,
        /** Tab-separated values with a header row. */
        TSV
    }

    /** Which rows a source reads. */
    public enum Split {
        /** All rows but every {@code heldOutEvery}-th. */
        TRAIN,
        /** Every {@code heldOutEvery}-th row. */
        HELD_OUT,
        /** Every row (for separate train and evaluation files). */
        ALL
    }

    /**
     * The file: a path or {@code classpath:resource}, optionally {@code .gz} (see {@link
     * TextFiles}). {@link SpamAssassin#JSONL} is made from the SpamAssassin corpus on first use.
     */
    @Required private String path;

    /** The file's format. */
    private Format format = Format.AUTO;

    /** The JSON field or CSV/TSV column holding the text. */
    private String textField = "text";

    /** The JSON field or CSV/TSV column holding the label. */
    private String labelField = "label";

    /**
     * The labels in id order; {@code null} uses the sorted distinct labels of the file. With a
     * list, a row whose label is not in it is an error.
     */
    private List<String> labels;

    /** The tokenizer; its special prefix and suffix frame every text. */
    private Tokenizer.Config<?> tokenizer = WordPieceTokenizer.bertBaseUncased();

    /** Ids per example, special tokens included; longer texts are cut, shorter ones padded. */
    @Required private Integer seqLen;

    /** Which rows to read. */
    private Split split = Split.TRAIN;

    /** One row in this many is held out; at least 2. */
    private int heldOutEvery = 10;

    /** Sets the file. */
    public SequenceClassificationSource path(String v) {
        return set(() -> path = v);
    }

    /** Sets the format. */
    public SequenceClassificationSource format(Format v) {
        return set(() -> format = v);
    }

    /** Sets the text column. */
    public SequenceClassificationSource textField(String v) {
        return set(() -> textField = v);
    }

    /** Sets the label column. */
    public SequenceClassificationSource labelField(String v) {
        return set(() -> labelField = v);
    }

    /** Sets the labels in id order (copied; {@code null}: from the file). */
    public SequenceClassificationSource labels(List<String> v) {
        List<String> c = v == null ? null : new ArrayList<>(v);
        return set(() -> labels = c);
    }

    /** Sets the tokenizer (copied). */
    public SequenceClassificationSource tokenizer(Tokenizer.Config<?> v) {
        return set(() -> tokenizer = v.copy());
    }

    /** Sets the ids per example. */
    public SequenceClassificationSource seqLen(int v) {
        return set(() -> seqLen = v);
    }

    /** Sets the split. */
    public SequenceClassificationSource split(Split v) {
        return set(() -> split = v);
    }

    /** Sets the held-out period. */
    public SequenceClassificationSource heldOutEvery(int v) {
        return set(() -> heldOutEvery = v);
    }

    @Override
    protected void validate() {
        if (seqLen <= 0) {
            throw invalid("seqLen", "must be positive, got " + seqLen);
        }
        if (heldOutEvery < 2) {
            throw invalid("heldOutEvery", "must be at least 2, got " + heldOutEvery);
        }
        if (labels != null
                && (labels.size() < 2 || new TreeSet<>(labels).size() != labels.size())) {
            throw invalid("labels", "must hold at least 2 distinct labels, got " + labels);
        }
    }

    /** The created source: the split's examples and the label list behind their ids. */
    public static final class Source implements ExampleSource {
        private final int[][] ids;
        private final int[] rows;
        private final int[] labelIds;
        private final List<String> labels;
        private final int seqLen;
        private final int padId;
        private final String name;

        private Source(
                int[][] ids,
                int[] rows,
                int[] labelIds,
                List<String> labels,
                int seqLen,
                int padId,
                String name) {
            this.ids = ids;
            this.rows = rows;
            this.labelIds = labelIds;
            this.labels = labels;
            this.seqLen = seqLen;
            this.padId = padId;
            this.name = name;
        }

        /** The labels in id order. */
        public List<String> labels() {
            return labels;
        }

        @Override
        public long size() {
            return rows.length;
        }

        @Override
        public Example get(long index) {
            int row = rows[(int) index];
            int[] framed = ids[row];
            int[] inputs = new int[seqLen];
            int[] mask = new int[seqLen];
            System.arraycopy(framed, 0, inputs, 0, framed.length);
            java.util.Arrays.fill(inputs, framed.length, seqLen, padId);
            java.util.Arrays.fill(mask, 0, framed.length, 1);
            return Example.of(
                    Map.of(INPUTS, inputs, INPUT_MASK, mask, LABELS, new int[] {labelIds[row]}));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @Override
    protected Source create() {
        String at = ConfigPath.child(path(), "path");
        if (path.equals(SpamAssassin.JSONL) && !Files.isRegularFile(Path.of(path))) {
            SpamAssassin.prepare();
        }
        Tokenizer tok = tokenizer.instantiateAt(ConfigPath.child(path(), "tokenizer"));
        int[] prefix = tok.specialPrefix();
        int[] suffix = tok.specialSuffix();
        int body = TokenStreams.textIdsPerWindow(tok, seqLen, ConfigPath.child(path(), "seqLen"));
        Format f = resolvedFormat();
        Rows all =
                ROWS.computeIfAbsent(
                        String.join("\n", path, f.name(), textField, labelField),
                        k -> Rows.read(path, at, f, textField, labelField));
        List<String> ids;
        if (labels != null) {
            ids = List.copyOf(labels);
        } else {
            ids = List.copyOf(new TreeSet<>(all.labels()));
            if (ids.size() < 2) {
                throw new ConfigException(
                        at + ": " + path + " has only the label " + ids + "; a classifier needs 2");
            }
            if (LOGGED.putIfAbsent(path + "\n" + labelField, true) == null) {
                System.err.println(
                        "axlearn: "
                                + path
                                + ": labels "
                                + ids
                                + " (ids 0.."
                                + (ids.size() - 1)
                                + ")");
            }
        }
        int[] labelIds = new int[all.size()];
        for (int r = 0; r < all.size(); r++) {
            int id = ids.indexOf(all.labels().get(r));
            if (id < 0) {
                throw new ConfigException(
                        at
                                + ": "
                                + path
                                + ": line "
                                + all.lines()[r]
                                + ": label \""
                                + all.labels().get(r)
                                + "\" is not in labels "
                                + ids);
            }
            labelIds[r] = id;
        }
        int[][] tokens =
                IDS.computeIfAbsent(
                        String.join(
                                "\n",
                                path,
                                f.name(),
                                textField,
                                labelField,
                                ConfigJson.toJson(tokenizer)),
                        k -> tok.encodeAll(all.texts()));
        int[][] framed = frame(tokens, prefix, suffix, body);
        int[] rows =
                java.util.stream.IntStream.range(0, all.size())
                        .filter(
                                r ->
                                        split == Split.ALL
                                                || (r % heldOutEvery == heldOutEvery - 1)
                                                        == (split == Split.HELD_OUT))
                        .toArray();
        if (rows.length == 0) {
            throw new ConfigException(
                    at
                            + ": the "
                            + split
                            + " split of "
                            + path
                            + " (every "
                            + heldOutEvery
                            + "th of its "
                            + all.size()
                            + " rows held out) is empty");
        }
        return new Source(
                framed,
                rows,
                labelIds,
                ids,
                seqLen,
                tok.padId(),
                "SequenceClassificationSource("
                        + split
                        + ", "
                        + rows.length
                        + " of "
                        + all.size()
                        + " rows of "
                        + path
                        + ", labels "
                        + ids
                        + ")");
    }

    private Format resolvedFormat() {
        if (format != Format.AUTO) {
            return format;
        }
        String name = path.endsWith(".gz") ? path.substring(0, path.length() - 3) : path;
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return Format.JSONL;
        }
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".tsv")) {
            return Format.TSV;
        }
        throw invalid(
                "format",
                "is AUTO, but "
                        + path
                        + " ends in none of .jsonl, .ndjson, .json, .csv, .tsv; set it to JSONL,"
                        + " CSV or TSV");
    }

    /** {@code prefix, ids[:body], suffix} of every text's ids. */
    private static int[][] frame(int[][] tokens, int[] prefix, int[] suffix, int body) {
        int[][] out = new int[tokens.length][];
        for (int r = 0; r < out.length; r++) {
            int[] ids = tokens[r];
            int n = Math.min(body, ids.length);
            int[] framed = new int[prefix.length + n + suffix.length];
            System.arraycopy(prefix, 0, framed, 0, prefix.length);
            System.arraycopy(ids, 0, framed, prefix.length, n);
            System.arraycopy(suffix, 0, framed, prefix.length + n, suffix.length);
            out[r] = framed;
        }
        return out;
    }

    /**
     * The parsed rows of a file.
     *
     * @param texts the text of each row
     * @param labels the label of each row, as written
     * @param lines the (first) line number of each row, from 1
     */
    record Rows(List<String> texts, List<String> labels, int[] lines) {
        int size() {
            return texts.size();
        }

        static Rows read(String path, String at, Format format, String text, String label) {
            String content = new String(TextFiles.read(path, at), StandardCharsets.UTF_8);
            Rows rows;
            try {
                rows =
                        format == Format.JSONL
                                ? jsonLines(path, content, text, label)
                                : delimited(
                                        path,
                                        content,
                                        format == Format.CSV ? ',' : '\t',
                                        text,
                                        label);
            } catch (ConfigException e) {
                throw new ConfigException(at + ": " + e.getMessage());
            }
            if (rows.size() == 0) {
                throw new ConfigException(at + ": " + path + " has no data rows");
            }
            return rows;
        }

        private static Rows jsonLines(String path, String content, String text, String label) {
            ObjectMapper mapper = new ObjectMapper();
            List<String> texts = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            List<Integer> lines = new ArrayList<>();
            String[] all = content.split("\n", -1);
            for (int i = 0; i < all.length; i++) {
                String line = all[i].strip();
                if (line.isEmpty()) {
                    continue;
                }
                String where = path + ": line " + (i + 1);
                JsonNode node;
                try {
                    node = mapper.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new ConfigException(
                            where + ": not a JSON object: " + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) {
                    throw new ConfigException(where + ": not a JSON object");
                }
                texts.add(field(node, text, where, true));
                labels.add(field(node, label, where, false));
                lines.add(i + 1);
            }
            return new Rows(texts, labels, lines.stream().mapToInt(Integer::intValue).toArray());
        }

        private static String field(JsonNode node, String name, String where, boolean text) {
            JsonNode v = node.get(name);
            if (v == null) {
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                throw new ConfigException(
                        where
                                + ": no field \""
                                + name
                                + "\"; the object has "
                                + names
                                + " (set textField/labelField)");
            }
            if (text ? !v.isTextual() : !v.isValueNode() || v.isNull()) {
                throw new ConfigException(
                        where
                                + ": field \""
                                + name
                                + "\" must be a "
                                + (text ? "string" : "string, number or boolean")
                                + ", got "
                                + v.getNodeType());
            }
            return v.asText();
        }

        private static Rows delimited(
                String path, String content, char delimiter, String text, String label) {
            List<List<String>> records = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            List<String> record = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean fieldStarted = false;
            int line = 1;
            int recordLine = 1;
            int quoteLine = 0;
            for (int i = 0; i < content.length(); i++) {
                char c = content.charAt(i);
                if (quoted) {
                    if (c == '"') {
                        if (i + 1 < content.length() && content.charAt(i + 1) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append(c);
                    }
                } else if (c == '"' && field.length() == 0 && !fieldStarted) {
                    quoted = true;
                    fieldStarted = true;
                    quoteLine = line;
                } else if (c == delimiter) {
                    record.add(field.toString());
                    field.setLength(0);
                    fieldStarted = false;
                } else if (c == '\n' || c == '\r') {
                    if (c == '\r' && i + 1 < content.length() && content.charAt(i + 1) == '\n') {
                        i++;
                    }
                    record.add(field.toString());
                    field.setLength(0);
                    fieldStarted = false;
                    if (!(record.size() == 1 && record.get(0).isEmpty())) {
                        records.add(record);
                        starts.add(recordLine);
                    }
                    record = new ArrayList<>();
                    line++;
                    recordLine = line;
                } else {
                    field.append(c);
                    fieldStarted = true;
                }
            }
            if (quoted) {
                throw new ConfigException(
                        path + ": line " + quoteLine + ": quoted field is not closed");
            }
            if (field.length() > 0 || !record.isEmpty()) {
                record.add(field.toString());
                records.add(record);
                starts.add(recordLine);
            }
            if (records.isEmpty()) {
                throw new ConfigException(path + ": empty file; expected a header row");
            }
            List<String> header = records.get(0);
            int textColumn = header.indexOf(text);
            int labelColumn = header.indexOf(label);
            for (String[] want : new String[][] {{text, "textField"}, {label, "labelField"}}) {
                if (!header.contains(want[0])) {
                    throw new ConfigException(
                            path
                                    + ": line "
                                    + starts.get(0)
                                    + ": no column \""
                                    + want[0]
                                    + "\"; the header has "
                                    + header
                                    + " (set "
                                    + want[1]
                                    + ")");
                }
            }
            List<String> texts = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            int[] lines = new int[records.size() - 1];
            for (int r = 1; r < records.size(); r++) {
                List<String> fields = records.get(r);
                if (fields.size() != header.size()) {
                    throw new ConfigException(
                            path
                                    + ": line "
                                    + starts.get(r)
                                    + ": "
                                    + fields.size()
                                    + " columns, the header has "
                                    + header.size());
                }
                texts.add(fields.get(textColumn));
                labels.add(fields.get(labelColumn));
                lines[r - 1] = starts.get(r);
            }
            return new Rows(texts, labels, lines);
        }
    }
}
