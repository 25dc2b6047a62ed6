package io.axlearn.core.module;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;

/**
 * A model that turns speech into text (a CTC or attention speech recogniser). It is the seam
 * through which the command line ({@code axlearn transcribe}) transcribes with a run without
 * knowing the module the model comes from: the model reads and resamples the audio file itself.
 */
public interface Transcriber {

    /**
     * The transcript of the audio file {@code audio}.
     *
     * @param params the model's parameters (from a checkpoint)
     * @param manager where the pass creates arrays; the caller closes it
     * @param audio a WAV file
     * @throws io.axlearn.core.config.ConfigException naming the file if it cannot be read
     */
    String transcribe(ParamTree params, NDManager manager, Path audio);
}
