package io.axlearn.audio.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.input.Input;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestSourceTest {
    static final Path LIBRIVOX = WavFileTest.LIBRIVOX.toAbsolutePath();

    @TempDir Path dir;

    static CharVocab.Config letters() {
        return CharVocab.config().alphabet(" abcdefghijklmnopqrstuvwxyz'");
    }

    /** The five LibriVox clips as a TSV manifest, transcripts from the corpus' file. */
    Path librivoxTsv() throws IOException {
        List<String> lines = new ArrayList<>(List.of("# path<TAB>transcript"));
        for (String line : Files.readAllLines(LIBRIVOX.resolve("transcription"))) {
            String text = line.replace("<s> ", "").replaceAll(" </s> \\((.*)\\)$", "");
            String id = line.replaceAll(".*\\((.*)\\)$", "$1");
            lines.add(LIBRIVOX.resolve(id + ".wav") + "\t" + text);
        }
        return Files.write(dir.resolve("librivox.tsv"), lines);
    }

    ManifestSource source(Path manifest) {
        return new ManifestSource()
                .manifest(manifest.toString())
                .maxSeconds(8)
                .maxTextLength(120)
                .vocab(letters());
    }

    @Test
    void tsvOfRealClips_padsAudioAndText_andSortsByLength() throws IOException {
        ExampleSource s = source(librivoxTsv()).instantiate();
        assertEquals(5, s.size());
        Example e = s.get(1);
        int n = e.ints(AudioFeatures.AUDIO_LENGTH)[0];
        assertEquals(
                WavFile.header(LIBRIVOX.resolve("sense_and_sensibility_01_austen_64kb-0880.wav"))
                        .frames(),
                n);
        assertEquals(128000, e.floats(AudioFeatures.AUDIO).length);
        assertEquals(0f, e.floats(AudioFeatures.AUDIO)[n]);
        String text = "he was not an ill disposed young man";
        assertEquals(text.length(), e.ints(AudioFeatures.TEXT_LENGTH)[0]);
        assertEquals(text, letters().instantiate().decode(e.ints(AudioFeatures.TEXT)));

        ExampleSource sorted = source(librivoxTsv()).sortByLength(true).instantiate();
        int previous = 0;
        for (int i = 0; i < 5; i++) {
            int len = sorted.get(i).ints(AudioFeatures.AUDIO_LENGTH)[0];
            assertTrue(len >= previous);
            previous = len;
        }
    }

    @Test
    void jsonlWithRelativePaths_resamplesToTheModelRate() throws IOException {
        float[] tone = new float[22050];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 22050.0));
        }
        Files.createDirectories(dir.resolve("clips"));
        WavFile.write(dir.resolve("clips/tone.wav"), tone, 22050);
        Path manifest =
                Files.writeString(
                        dir.resolve("m.jsonl"),
                        "{\"audio\": \"clips/tone.wav\", \"text\": \"A Tone\"}\n\n");
        Example e = source(manifest).maxSeconds(1.0).instantiate().get(0);
        assertEquals(16000, e.ints(AudioFeatures.AUDIO_LENGTH)[0]);
        assertArrayEquals(
                letters().instantiate().encode("a tone"),
                java.util.Arrays.copyOf(e.ints(AudioFeatures.TEXT), 6));
    }

    @Test
    void inputOverTheManifestIsDeterministicAndResumable() throws IOException {
        Input.Config cfg =
                Input.config()
                        .source(source(librivoxTsv()))
                        .batchSize(2)
                        .shuffleBufferSize(4)
                        .seed(7)
                        .prefetch(0);
        Input input = cfg.instantiate();
        List<Batch> run = new ArrayList<>();
        try (Input.BatchIterator it = input.iterator()) {
            for (int i = 0; i < 4; i++) {
                run.add(it.next());
            }
        }
        try (Input.BatchIterator resumed = cfg.instantiate().iterator(run.get(1).stateAfter())) {
            for (int i = 2; i < 4; i++) {
                Batch b = resumed.next();
                for (String f : List.of(AudioFeatures.TEXT, AudioFeatures.AUDIO)) {
                    assertEquals(
                            run.get(i).features().get(f),
                            b.features().get(f),
                            f + " of batch " + i);
                }
            }
        }
    }

    @Test
    void badManifestLinesAndFilesAreNamed() throws IOException {
        Path noTab = Files.writeString(dir.resolve("a.tsv"), "clip.wav hello\n");
        ConfigException e = assertThrows(ConfigException.class, () -> source(noTab).instantiate());
        assertEquals(noTab + ":1: expected path<TAB>transcript, found no tab", e.getMessage());

        Path missing = Files.writeString(dir.resolve("b.tsv"), "#\nnope.wav\thello\n");
        e = assertThrows(ConfigException.class, () -> source(missing).instantiate());
        assertEquals(
                missing + ":2: no such audio file: " + dir.resolve("nope.wav"), e.getMessage());

        Files.writeString(dir.resolve("bad.wav"), "garbage");
        Path corrupt = Files.writeString(dir.resolve("c.tsv"), "bad.wav\thello\n");
        e = assertThrows(ConfigException.class, () -> source(corrupt).instantiate());
        assertEquals(
                corrupt
                        + ":1: "
                        + dir.resolve("bad.wav")
                        + ": not a WAV file (no RIFF/WAVE header)",
                e.getMessage());

        Path digits =
                Files.writeString(
                        dir.resolve("d.tsv"),
                        LIBRIVOX.resolve("sense_and_sensibility_01_austen_64kb-0880.wav")
                                + "\troom 101\n");
        e = assertThrows(ConfigException.class, () -> source(digits).instantiate());
        assertTrue(e.getMessage().startsWith(digits + ":1: character '1' at 5"), e.getMessage());

        Path tooLong = librivoxTsv();
        e = assertThrows(ConfigException.class, () -> source(tooLong).maxSeconds(5).instantiate());
        assertTrue(
                e.getMessage()
                        .matches(
                                ".*librivox.tsv:2: .*0870.wav lasts 7.10 s, over maxSeconds 5.0; raise it or set dropLonger"),
                e.getMessage());
        assertEquals(2, source(tooLong).maxSeconds(5).dropLonger(true).instantiate().size());
    }
}
