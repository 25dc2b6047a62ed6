package io.axlearn.audio.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.audio.input.SpokenDigitsSource.Recipe;
import io.axlearn.audio.input.SpokenDigitsSource.Split;
import io.axlearn.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpokenDigitsSourceTest {
    @TempDir Path dir;

    @Test
    void plainCorpusKeepsItsFolderName_optionsGetTheirOwn() {
        assertEquals("train-4000", Recipe.plain(Split.TRAIN, 4000).folderName());
        Recipe noisy =
                new Recipe(
                        Split.TRAIN,
                        4000,
                        ClipPerturbation.config().noiseProbability(0.5).instantiate(),
                        0);
        Recipe louder =
                new Recipe(
                        Split.TRAIN,
                        4000,
                        ClipPerturbation.config().noiseProbability(0.6).instantiate(),
                        0);
        assertTrue(noisy.folderName().startsWith("train-4000-"), noisy.folderName());
        assertNotEquals(noisy.folderName(), louder.folderName());
        assertNotEquals(
                noisy.folderName(),
                new Recipe(Split.TRAIN, 4000, noisy.perturbation(), 0.25).folderName());
    }

    @Test
    void festivalAndPerturbedClips_areSynthesisedAt16kHz_andListedWithTheirVoices()
            throws Exception {
        Recipe recipe =
                new Recipe(
                        Split.TRAIN,
                        8,
                        ClipPerturbation.config()
                                .maxSpeedChange(0.15)
                                .telephoneProbability(0.5)
                                .noiseProbability(0.5)
                                .instantiate(),
                        0.5);
        Path manifest = SpokenDigitsSource.ensureGenerated(dir, recipe);
        assertEquals(recipe.folderName(), manifest.getParent().getFileName().toString());
        List<String> lines = Files.readAllLines(manifest);
        List<String> voices =
                Files.readAllLines(manifest.resolveSibling(SpokenDigitsSource.VOICES));
        assertEquals(8, lines.size());
        assertEquals(8, voices.size());
        long festival = voices.stream().filter(v -> v.contains("\tfestival ked_diphone")).count();
        long espeak = voices.stream().filter(v -> v.contains("\tespeak-ng ")).count();
        assertTrue(festival > 0 && espeak > 0, String.join("\n", voices));
        assertEquals(8, festival + espeak);
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).split("\t");
            assertEquals(fields[0], voices.get(i).split("\t")[0]);
            assertTrue(fields[1].matches("[0-9]( [0-9]){0,6}"), fields[1]);
            WavFile.Waveform w = WavFile.read(manifest.resolveSibling(fields[0]));
            assertEquals(16000, w.sampleRate());
            assertTrue(w.samples().length > 1600, fields[0] + " is shorter than 0.1 s");
        }
        // Festival's scripts are gone; a second call reads the cache.
        try (var files = Files.list(manifest.getParent())) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(".scm")).count());
        }
        assertEquals(manifest, SpokenDigitsSource.ensureGenerated(dir, recipe));
    }

    @Test
    void festivalForTheFliteSplit_isAConfigError() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new SpokenDigitsSource()
                                        .split(Split.HELD_OUT_FLITE)
                                        .festivalFraction(0.1)
                                        .dir(dir.toString())
                                        .instantiate());
        assertTrue(e.getMessage().contains("festivalFraction"), e.getMessage());
    }
}
