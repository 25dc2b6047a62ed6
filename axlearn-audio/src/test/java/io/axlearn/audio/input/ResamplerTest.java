package io.axlearn.audio.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.testing.TorchGolden;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResamplerTest {

    @Test
    void matchesTorchaudioResampleOnEspeakSpeech() {
        WavFile.Waveform w = WavFile.read(Path.of("src/test/resources/espeak-22050.wav"));
        assertEquals(22050, w.sampleRate());
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ResamplerTest.class, "espeak", m);
            TorchGolden.assertAllClose(g.input("wave"), m.create(w.samples()), 0, 0, "wave");
            for (int to : new int[] {16000, 8000, 44100}) {
                float[] out = Resampler.resample(w.samples(), 22050, to);
                TorchGolden.assertAllClose(
                        g.output("to" + to), m.create(out), 1e-4, 2e-6, "22050 -> " + to);
            }
        }
    }

    @Test
    void equalRatesReturnTheInput() {
        float[] x = {1, 2, 3};
        assertSame(x, Resampler.resample(x, 16000, 16000));
    }
}
