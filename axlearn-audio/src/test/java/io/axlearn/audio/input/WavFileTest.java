package io.axlearn.audio.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.testing.TorchGolden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavFileTest {
    static final Path LIBRIVOX = Path.of("src/test/resources/librivox");
    static final Path CLIP1 = LIBRIVOX.resolve("sense_and_sensibility_01_austen_64kb-0880.wav");

    @TempDir Path dir;

    /** A WAV file with the given fmt fields and raw little-endian sample bytes. */
    static Path wav(Path file, int format, int channels, int rate, int bits, byte[] data, int extra)
            throws IOException {
        int fmtLen = format == 0xFFFE ? 40 : 16;
        ByteBuffer b =
                ByteBuffer.allocate(12 + 8 + fmtLen + 8 + extra + 8 + data.length)
                        .order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(b.capacity() - 8);
        b.put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(fmtLen);
        b.putShort((short) format).putShort((short) channels).putInt(rate);
        b.putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8));
        b.putShort((short) bits);
        if (format == 0xFFFE) {
            b.putShort((short) 22).putShort((short) bits).putInt(0).putShort((short) 3);
            b.put(new byte[14]);
        }
        b.put("LIST".getBytes(StandardCharsets.US_ASCII)).putInt(extra).put(new byte[extra]);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
        Files.write(file, b.array());
        return file;
    }

    @Test
    void readsRealClip_likeTorchaudioLoad() {
        WavFile.Waveform w = WavFile.read(CLIP1);
        assertEquals(16000, w.sampleRate());
        WavFile.Header h = WavFile.header(CLIP1);
        assertEquals(w.samples().length, h.frames());
        assertEquals(1, h.channels());
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g =
                    TorchGolden.load(
                            Path.of(
                                    "src/test/resources/golden/KaldiFbankTest/librivox1.safetensors"),
                            m);
            TorchGolden.assertAllClose(g.input("wave"), m.create(w.samples()), 0, 0, "samples");
        }
    }

    @Test
    void stereoFloatKeepsFirstChannel_andExtensibleFloat64Reads() throws IOException {
        ByteBuffer f32 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        f32.putFloat(0.25f).putFloat(-1f).putFloat(-0.5f).putFloat(1f);
        WavFile.Waveform w =
                WavFile.read(wav(dir.resolve("f.wav"), 3, 2, 8000, 32, f32.array(), 6));
        assertArrayEquals(new float[] {0.25f, -0.5f}, w.samples());
        assertEquals(8000, w.sampleRate());

        ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        f64.putDouble(0.125).putDouble(-0.75);
        WavFile.Waveform x =
                WavFile.read(wav(dir.resolve("d.wav"), 0xFFFE, 1, 44100, 64, f64.array(), 0));
        assertArrayEquals(new float[] {0.125f, -0.75f}, x.samples());
    }

    @Test
    void pcmWidthsScaleLikeTorchaudio() throws IOException {
        byte[] u8 = {(byte) 0, (byte) 128, (byte) 255};
        assertArrayEquals(
                new float[] {-1f, 0f, 127 / 128f},
                WavFile.read(wav(dir.resolve("u8.wav"), 1, 1, 16000, 8, u8, 0)).samples());
        byte[] s24 = {0, 0, (byte) 0x80, (byte) 0xff, (byte) 0xff, 0x7f};
        assertArrayEquals(
                new float[] {-1f, 8388607 / 8388608f},
                WavFile.read(wav(dir.resolve("s24.wav"), 1, 1, 16000, 24, s24, 0)).samples());
        float[] s = {0.5f, -0.25f, 0f};
        Path p = dir.resolve("w.wav");
        WavFile.write(p, s, 22050);
        assertArrayEquals(s, WavFile.read(p).samples());
        assertEquals(22050, WavFile.header(p).sampleRate());
    }

    @Test
    void corruptAndUnsupportedFilesNameTheFile() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.wav"), "hello, not audio");
        ConfigException e = assertThrows(ConfigException.class, () -> WavFile.read(text));
        assertEquals(text + ": not a WAV file (no RIFF/WAVE header)", e.getMessage());

        Path alaw = wav(dir.resolve("alaw.wav"), 6, 1, 8000, 8, new byte[4], 0);
        e = assertThrows(ConfigException.class, () -> WavFile.read(alaw));
        assertTrue(
                e.getMessage().startsWith(alaw + ": unsupported WAV encoding (format tag 6"),
                e.getMessage());

        byte[] whole = Files.readAllBytes(CLIP1);
        Path cut = dir.resolve("cut.wav");
        Files.write(cut, java.util.Arrays.copyOf(whole, 30));
        e = assertThrows(ConfigException.class, () -> WavFile.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());

        Path truncated = dir.resolve("truncated.wav");
        Files.write(truncated, java.util.Arrays.copyOf(whole, 44 + 2000));
        assertEquals(1000, WavFile.read(truncated).samples().length); // keeps what is there
    }
}
