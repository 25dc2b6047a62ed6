package io.axlearn.audio.input;

import io.axlearn.core.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes RIFF/WAVE files: PCM integer samples of 8, 16, 24 or 32 bits and IEEE float
 * samples of 32 or 64 bits, plain or {@code WAVE_FORMAT_EXTENSIBLE}, any sample rate and channel
 * count. Reading keeps the first channel and scales samples to {@code [-1, 1)} the way {@code
 * torchaudio.load} does (16-bit {@code s / 32768}).
 *
 * <p>A file that is not a WAVE file, is cut short, or holds another encoding (A-law, ADPCM, ...) is
 * a {@link ConfigException} whose one-line message names the file and what is wrong.
 */
public final class WavFile {
    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_FLOAT = 3;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;

    private WavFile() {}

    /**
     * A mono waveform.
     *
     * @param samples samples scaled to {@code [-1, 1)}
     * @param sampleRate samples per second
     */
    public record Waveform(float[] samples, int sampleRate) {
        /** Duration in seconds. */
        public double seconds() {
            return samples.length / (double) sampleRate;
        }
    }

    /**
     * What a file's header says, without its samples.
     *
     * @param sampleRate samples per second
     * @param channels channel count
     * @param frames samples per channel
     */
    public record Header(int sampleRate, int channels, long frames) {
        /** Duration in seconds. */
        public double seconds() {
            return frames / (double) sampleRate;
        }
    }

    /** The first channel of {@code file}. */
    public static Waveform read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read WAV file: " + e.getMessage());
        }
        Parsed p = parse(file, bytes);
        ByteBuffer data = p.data;
        int frameBytes = p.channels * p.bitsPerSample / 8;
        float[] out = new float[(int) p.frames];
        for (int i = 0; i < out.length; i++) {
            out[i] = sample(data, i * frameBytes, p.float32Or64, p.bitsPerSample);
        }
        return new Waveform(out, p.sampleRate);
    }

    /**
     * The header of {@code file}, checked as {@link #read} checks it; reads only the first 64 KiB.
     */
    public static Header header(Path file) {
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            // Header chunks come first; 64 KiB holds them in any file we accept.
            head = in.readNBytes(1 << 16);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read WAV file: " + e.getMessage());
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read WAV file: " + e.getMessage());
        }
        Parsed p = parseHeader(file, head, size);
        return new Header(p.sampleRate, p.channels, p.frames);
    }

    /** Writes {@code samples} (clipped to {@code [-1, 1]}) as mono 16-bit PCM. */
    public static void write(Path file, float[] samples, int sampleRate) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(36 + 2 * samples.length);
        b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(16).putShort((short) FORMAT_PCM).putShort((short) 1);
        b.putInt(sampleRate).putInt(2 * sampleRate).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(2 * samples.length);
        for (float s : samples) {
            float c = Math.max(-1f, Math.min(1f, s));
            b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(c * 32768f))));
        }
        Files.write(file, b.array());
    }

    private record Parsed(
            int sampleRate,
            int channels,
            int bitsPerSample,
            boolean float32Or64,
            long frames,
            ByteBuffer data) {}

    private static Parsed parse(Path file, byte[] bytes) {
        return parseHeader(file, bytes, bytes.length);
    }

    /**
     * Walks the chunks of {@code bytes}, the first bytes of a file of {@code fileSize} bytes; the
     * data buffer of the result is only complete when {@code bytes} is the whole file.
     */
    private static Parsed parseHeader(Path file, byte[] bytes, long fileSize) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || !tag(bytes, 0).equals("RIFF") || !tag(bytes, 8).equals("WAVE")) {
            throw new ConfigException(file + ": not a WAV file (no RIFF/WAVE header)");
        }
        int pos = 12;
        int format = -1;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        while (pos + 8 <= bytes.length) {
            String id = tag(bytes, pos);
            long len = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id.equals("fmt ")) {
                if (len < 16 || body + 16 > bytes.length) {
                    throw new ConfigException(file + ": WAV fmt chunk is cut short");
                }
                format = Short.toUnsignedInt(b.getShort(body));
                channels = Short.toUnsignedInt(b.getShort(body + 2));
                rate = b.getInt(body + 4);
                bits = Short.toUnsignedInt(b.getShort(body + 14));
                if (format == FORMAT_EXTENSIBLE && len >= 40 && body + 26 <= bytes.length) {
                    format = Short.toUnsignedInt(b.getShort(body + 24));
                }
            } else if (id.equals("data")) {
                if (format < 0) {
                    throw new ConfigException(file + ": WAV data chunk comes before its fmt chunk");
                }
                boolean isFloat = checkFormat(file, format, bits, channels, rate);
                long available = Math.min(len, fileSize - body);
                int frameBytes = channels * bits / 8;
                if (available < len && available < frameBytes) {
                    throw new ConfigException(
                            file + ": WAV file is cut short (data chunk says " + len + " bytes)");
                }
                long frames = available / frameBytes;
                ByteBuffer data =
                        ByteBuffer.wrap(
                                        bytes,
                                        Math.min(body, bytes.length),
                                        (int) Math.max(0, Math.min(available, bytes.length - body)))
                                .slice()
                                .order(ByteOrder.LITTLE_ENDIAN);
                return new Parsed(rate, channels, bits, isFloat, frames, data);
            }
            pos = (int) Math.min(Integer.MAX_VALUE, body + len + (len & 1));
        }
        throw new ConfigException(
                file
                        + (format < 0
                                ? ": WAV file has no fmt chunk"
                                : ": WAV file has no data chunk"));
    }

    /** Whether the samples are floats; throws naming the file for encodings we do not read. */
    private static boolean checkFormat(Path file, int format, int bits, int channels, int rate) {
        if (channels <= 0 || rate <= 0) {
            throw new ConfigException(
                    file + ": WAV header has " + channels + " channels at " + rate + " Hz");
        }
        if (format == FORMAT_PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32)) {
            return false;
        }
        if (format == FORMAT_FLOAT && (bits == 32 || bits == 64)) {
            return true;
        }
        throw new ConfigException(
                file
                        + ": unsupported WAV encoding (format tag "
                        + format
                        + ", "
                        + bits
                        + " bits); only PCM 8/16/24/32-bit and float 32/64-bit are read");
    }

    private static float sample(ByteBuffer d, int at, boolean isFloat, int bits) {
        if (isFloat) {
            return bits == 32 ? d.getFloat(at) : (float) d.getDouble(at);
        }
        return switch (bits) {
            case 8 -> (Byte.toUnsignedInt(d.get(at)) - 128) / 128f;
            case 16 -> d.getShort(at) / 32768f;
            case 24 -> {
                int v = (d.get(at) & 0xff) | (d.get(at + 1) & 0xff) << 8 | d.get(at + 2) << 16;
                yield v / 8388608f;
            }
            default -> (float) (d.getInt(at) / 2147483648.0);
        };
    }

    private static String tag(byte[] bytes, int at) {
        return new String(bytes, at, 4, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
