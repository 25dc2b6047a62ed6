package io.axlearn.audio.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClipPerturbationTest {
    private static final int RATE = 16000;

    /** One second of a sine of {@code hz} at amplitude 0.5. */
    private static float[] sine(double hz) {
        float[] x = new float[RATE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / RATE));
        }
        return x;
    }

    private static double rms(float[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) x[i] * x[i];
        }
        return Math.sqrt(sum / (to - from));
    }

    /** Frequency estimated from upward zero crossings. */
    private static double frequency(float[] x) {
        int crossings = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i - 1] < 0 && x[i] >= 0) {
                crossings++;
            }
        }
        return crossings * (double) RATE / x.length;
    }

    @Test
    void identity_returnsTheSamples_andNeverTheInputArray() {
        float[] speech = WavFile.read(Path.of("src/test/resources/espeak-22050.wav")).samples();
        ClipPerturbation none = ClipPerturbation.config().instantiate();
        assertTrue(none.getConfig().isIdentity());
        float[] out = none.apply(speech, 22050, 1);
        assertArrayEquals(speech, out);
        assertFalse(out == speech);
    }

    @Test
    void speedChange_scalesDurationAndPitchTogether() {
        ClipPerturbation speed = ClipPerturbation.config().maxSpeedChange(0.2).instantiate();
        float[] tone = sine(500);
        boolean sawFaster = false;
        boolean sawSlower = false;
        for (long seed = 0; seed < 20; seed++) {
            float[] out = speed.apply(tone, RATE, seed);
            double factor = (double) tone.length / out.length;
            assertTrue(factor >= 0.8 - 0.01 && factor <= 1.2 + 0.01, "factor " + factor);
            // Pitch rises with speed: a 500 Hz tone played faster by f reads 500 f Hz.
            assertEquals(500 * factor, frequency(out), 5, "seed " + seed);
            sawFaster |= factor > 1.05;
            sawSlower |= factor < 0.95;
        }
        assertTrue(sawFaster && sawSlower);
    }

    @Test
    void telephoneBand_removesWhatLiesAbove4kHz_andKeepsSpeechBandTones() {
        ClipPerturbation phone = ClipPerturbation.config().telephoneProbability(1).instantiate();
        float[] high = phone.apply(sine(6000), RATE, 3);
        float[] low = phone.apply(sine(1000), RATE, 3);
        assertEquals(RATE, high.length);
        // Away from the edges, where the resampling filters have settled.
        assertTrue(rms(high, 1000, 15000) < 0.01, "6 kHz left: " + rms(high, 1000, 15000));
        assertEquals(0.5 / Math.sqrt(2), rms(low, 1000, 15000), 0.02);
    }

    @Test
    void leadingSilence_putsUpToItsLengthOfZerosBeforeTheClip() {
        ClipPerturbation lead =
                ClipPerturbation.config().maxLeadingSilenceSeconds(0.4).instantiate();
        float[] tone = sine(440);
        int longest = 0;
        for (long seed = 0; seed < 10; seed++) {
            float[] out = lead.apply(tone, RATE, seed);
            int silence = out.length - tone.length;
            assertTrue(silence >= 0 && silence <= 0.4 * RATE, "silence " + silence);
            assertArrayEquals(new float[silence], Arrays.copyOf(out, silence));
            assertArrayEquals(tone, Arrays.copyOfRange(out, silence, out.length));
            longest = Math.max(longest, silence);
        }
        assertTrue(longest > 0.2 * RATE, "longest " + longest);
    }

    @Test
    void muLaw_roundTripsWithinItsQuantisationStep() {
        for (float x : new float[] {0f, 0.001f, -0.01f, 0.1f, -0.5f, 0.99f, 1f}) {
            float y = ClipPerturbation.muLawRoundTrip(x);
            // 8-bit mu-law: steps of about 3% of the value, finer near zero.
            assertEquals(x, y, 0.04 * Math.abs(x) + 2e-4, "x = " + x);
        }
        assertEquals(1f, ClipPerturbation.muLawRoundTrip(3f), 1e-6);
    }

    @Test
    void gain_staysWithinItsRange_andNoiseHasTheDrawnSnr() {
        float[] tone = sine(440);
        ClipPerturbation gain = ClipPerturbation.config().maxGainDb(6).instantiate();
        for (long seed = 0; seed < 10; seed++) {
            double db =
                    20
                            * Math.log10(
                                    rms(gain.apply(tone, RATE, seed), 0, RATE)
                                            / rms(tone, 0, RATE));
            assertTrue(Math.abs(db) <= 6 + 1e-6, "gain " + db + " dB");
        }
        ClipPerturbation noisy =
                ClipPerturbation.config()
                        .noiseProbability(1)
                        .minSnrDb(20)
                        .maxSnrDb(20)
                        .instantiate();
        for (long seed = 0; seed < 4; seed++) { // white and pink both come up in four draws
            float[] out = noisy.apply(tone, RATE, seed);
            float[] noise = new float[RATE];
            for (int i = 0; i < RATE; i++) {
                noise[i] = out[i] - tone[i];
            }
            double snr = 20 * Math.log10(rms(tone, 0, RATE) / rms(noise, 0, RATE));
            assertEquals(20, snr, 0.1, "seed " + seed);
        }
    }

    @Test
    void sameSeed_sameClip_otherSeed_otherClip() {
        ClipPerturbation all =
                ClipPerturbation.config()
                        .maxSpeedChange(0.1)
                        .telephoneProbability(0.5)
                        .maxGainDb(6)
                        .noiseProbability(0.5)
                        .instantiate();
        float[] tone = sine(300);
        assertArrayEquals(all.apply(tone, RATE, 42), all.apply(tone, RATE, 42));
        assertFalse(Arrays.equals(all.apply(tone, RATE, 42), all.apply(tone, RATE, 43)));
    }

    @Test
    void badValues_nameTheField() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> ClipPerturbation.config().telephoneProbability(1.5).instantiate());
        assertTrue(e.getMessage().contains("telephoneProbability"), e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () -> ClipPerturbation.config().minSnrDb(30).maxSnrDb(10).instantiate());
        assertTrue(e.getMessage().contains("minSnrDb"), e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () -> ClipPerturbation.config().maxSpeedChange(0.7).instantiate());
        assertTrue(e.getMessage().contains("maxSpeedChange"), e.getMessage());
    }
}
