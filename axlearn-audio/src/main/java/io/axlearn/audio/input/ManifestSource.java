package io.axlearn.audio.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Transcribed speech listed in a manifest: a TSV file of {@code path<TAB>transcript} lines or a
 * JSONL file ({@code .jsonl} or {@code .json}) of {@code {"audio": path, "text": transcript}}
 * objects; relative paths are relative to the manifest's folder, blank lines and lines starting
 * with {@code #} are skipped. This is what a user brings to train on their own recordings.
 *
 * <p>Each WAV file ({@link WavFile}: PCM or float, first channel, any rate) is decoded on {@link
 * ExampleSource#get}, resampled to {@code sampleRate} ({@link Resampler}) and zero-padded to {@code
 * maxSeconds}; its transcript is encoded by {@code vocab} and zero-padded to {@code maxTextLength}.
 * Features are those of {@link AudioFeatures}.
 *
 * <p>The source reads every file's header when it is built, to know durations: a clip longer than
 * {@code maxSeconds} is an error naming it (or is dropped with {@code dropLonger}); a missing,
 * corrupt or unsupported file, or a transcript with characters outside the vocabulary, is an error
 * naming the manifest line. With {@code sortByLength} examples are ordered by duration (shortest
 * first), so consecutive examples (an evaluation batch, or a training input read without a shuffle
 * buffer) have similar lengths and the model, which crops each batch to its longest clip, computes
 * little padding.
 */
public final class ManifestSource extends ExampleSource.Config<ManifestSource> {

    /** The manifest: TSV, or JSONL when the name ends in {@code .jsonl} or {@code .json}. */
    @Required private String manifest;

    /** The model's sample rate in Hz; clips at other rates are resampled to it. */
    private int sampleRate = 16000;

    /**
     * Padded clip duration in seconds; {@code audio} has {@code sampleRate * maxSeconds} samples.
     */
    @Required private Double maxSeconds;

    /** Padded transcript length in characters. */
    @Required private Integer maxTextLength;

    /** Characters of the transcripts. */
    @Required private CharVocab.Config vocab;

    /** Drop clips longer than {@code maxSeconds} (or transcripts longer than maxTextLength). */
    private boolean dropLonger = false;

    /** Order examples by duration, shortest first, instead of manifest order. */
    private boolean sortByLength = false;

    /** Sets the manifest file. */
    public ManifestSource manifest(String v) {
        return set(() -> manifest = v);
    }

    /** Sets the model's sample rate. */
    public ManifestSource sampleRate(int v) {
        return set(() -> sampleRate = v);
    }

    /** Sets the padded clip duration. */
    public ManifestSource maxSeconds(double v) {
        return set(() -> maxSeconds = v);
    }

    /** Sets the padded transcript length. */
    public ManifestSource maxTextLength(int v) {
        return set(() -> maxTextLength = v);
    }

    /** Sets the vocabulary (stored as a copy). */
    public ManifestSource vocab(CharVocab.Config v) {
        return set(() -> vocab = v.copy());
    }

    /** Sets whether over-long examples are dropped instead of refused. */
    public ManifestSource dropLonger(boolean v) {
        return set(() -> dropLonger = v);
    }

    /** Sets whether examples are ordered by duration. */
    public ManifestSource sortByLength(boolean v) {
        return set(() -> sortByLength = v);
    }

    /** The model's sample rate. */
    public int sampleRate() {
        return sampleRate;
    }

    /** Padded samples per clip. */
    public int maxSamples() {
        return (int) Math.round(sampleRate * maxSeconds);
    }

    @Override
    protected void validate() {
        if (sampleRate <= 0) {
            throw invalid("sampleRate", "must be positive, got " + sampleRate);
        }
        if (!(maxSeconds > 0)) {
            throw invalid("maxSeconds", "must be positive, got " + maxSeconds);
        }
        if (maxTextLength <= 0) {
            throw invalid("maxTextLength", "must be positive, got " + maxTextLength);
        }
    }

    /**
     * One manifest entry.
     *
     * @param file the WAV file
     * @param text the transcript
     * @param where the manifest file and line, for errors
     */
    public record Entry(Path file, String text, String where) {}

    /** The entries of a manifest file, in file order. */
    public static List<Entry> readManifest(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read manifest: " + e.getMessage());
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".jsonl") || name.endsWith(".json");
        Path dir = file.toAbsolutePath().getParent();
        ObjectMapper mapper = new ObjectMapper();
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = file + ":" + (i + 1);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String path;
            String text;
            if (json) {
                JsonNode node;
                try {
                    node = mapper.readTree(line);
                } catch (IOException e) {
                    throw new ConfigException(where + ": not a JSON object: " + line);
                }
                if (node == null
                        || !node.path("audio").isTextual()
                        || !node.path("text").isTextual()) {
                    throw new ConfigException(
                            where + ": expected {\"audio\": path, \"text\": transcript}");
                }
                path = node.get("audio").asText();
                text = node.get("text").asText();
            } else {
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new ConfigException(
                            where + ": expected path<TAB>transcript, found no tab");
                }
                path = line.substring(0, tab);
                text = line.substring(tab + 1);
            }
            out.add(new Entry(dir.resolve(path), text, where));
        }
        return out;
    }

    @Override
    protected ExampleSource create() {
        Path file = Path.of(manifest);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(
                    ConfigPath.child(path(), "manifest") + ": no such file: " + manifest);
        }
        CharVocab chars = vocab.instantiateAt(ConfigPath.child(path(), "vocab"));
        int rate = sampleRate;
        int samples = maxSamples();
        int textLength = maxTextLength;
        List<Entry> entries = new ArrayList<>();
        Map<Entry, Double> seconds = new java.util.HashMap<>();
        Map<Entry, int[]> ids = new java.util.HashMap<>();
        for (Entry e : readManifest(file)) {
            if (!Files.isRegularFile(e.file())) {
                throw new ConfigException(e.where() + ": no such audio file: " + e.file());
            }
            double s;
            try {
                s = WavFile.header(e.file()).seconds();
            } catch (ConfigException ex) {
                throw ex.withContext(e.where());
            }
            int[] t;
            try {
                t = chars.encode(e.text());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(e.where() + ": " + ex.getMessage());
            }
            boolean tooLong = Math.ceil(s * rate) > samples + 1 || t.length > textLength;
            if (tooLong && dropLonger) {
                continue;
            }
            if (tooLong) {
                throw new ConfigException(
                        e.where()
                                + ": "
                                + e.file()
                                + (t.length > textLength
                                        ? " has a transcript of "
                                                + t.length
                                                + " characters, over"
                                                + " maxTextLength "
                                                + textLength
                                        : String.format(
                                                Locale.ROOT,
                                                " lasts %.2f s, over maxSeconds %s",
                                                s,
                                                maxSeconds))
                                + "; raise it or set dropLonger");
            }
            entries.add(e);
            seconds.put(e, s);
            ids.put(e, t);
        }
        if (sortByLength) {
            entries.sort(Comparator.comparingDouble(seconds::get));
        }
        Map<Integer, Resampler> resamplers = new ConcurrentHashMap<>();
        return new ExampleSource() {
            @Override
            public long size() {
                return entries.size();
            }

            @Override
            public Example get(long index) {
                Entry e = entries.get((int) index);
                float[] wave;
                try {
                    WavFile.Waveform w = WavFile.read(e.file());
                    wave =
                            resamplers
                                    .computeIfAbsent(w.sampleRate(), r -> new Resampler(r, rate))
                                    .apply(w.samples());
                } catch (ConfigException ex) {
                    throw ex.withContext(e.where());
                }
                return example(wave, ids.get(e), samples, textLength);
            }

            @Override
            public String toString() {
                return "ManifestSource(" + entries.size() + " clips from " + manifest + ")";
            }
        };
    }

    /** The features of one clip: audio and text padded (audio also cut) to the given lengths. */
    static Example example(float[] wave, int[] text, int maxSamples, int maxTextLength) {
        float[] audio = new float[maxSamples];
        int n = Math.min(wave.length, maxSamples);
        System.arraycopy(wave, 0, audio, 0, n);
        int[] padded = new int[maxTextLength];
        System.arraycopy(text, 0, padded, 0, Math.min(text.length, maxTextLength));
        return Example.of(
                Map.of(
                        AudioFeatures.AUDIO,
                        audio,
                        AudioFeatures.AUDIO_LENGTH,
                        new int[] {n},
                        AudioFeatures.TEXT,
                        padded,
                        AudioFeatures.TEXT_LENGTH,
                        new int[] {Math.min(text.length, maxTextLength)}));
    }
}
