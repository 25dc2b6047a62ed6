package io.axlearn.audio.input;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Feature names and layout of speech examples: {@code audio} is a {@code float[maxSamples]}
 * waveform at the model's sample rate, zero after its {@code audio_length} real samples; {@code
 * text} is an {@code int[maxTextLength]} of character ids ({@link CharVocab}), zero after its
 * {@code text_length} real ids.
 */
public final class AudioFeatures {
    /** Waveform, {@code float[maxSamples]}, samples in {@code [-1, 1)}, zero-padded. */
    public static final String AUDIO = "audio";

    /** Real samples of {@link #AUDIO}, {@code int[1]}. */
    public static final String AUDIO_LENGTH = "audio_length";

    /** Transcript as character ids, {@code int[maxTextLength]}, zero-padded. */
    public static final String TEXT = "text";

    /** Real ids of {@link #TEXT}, {@code int[1]}. */
    public static final String TEXT_LENGTH = "text_length";

    private AudioFeatures() {}

    /**
     * The padding mask of sequences of {@code lengths}: {@code [batch, maxLength]} boolean, true at
     * the real positions {@code t < lengths[b]}; on {@code lengths}'s manager.
     *
     * @param lengths {@code [batch]} or {@code [batch, 1]} integer lengths
     * @param maxLength the padded length
     */
    public static NDArray validMask(NDArray lengths, long maxLength) {
        NDArray len = lengths.reshape(-1, 1).toType(DataType.INT64, false);
        NDArray positions = len.getManager().arange(0, maxLength, 1, DataType.INT64).reshape(1, -1);
        return positions.lt(len);
    }
}
