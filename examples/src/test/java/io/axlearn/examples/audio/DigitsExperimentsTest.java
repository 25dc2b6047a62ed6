package io.axlearn.examples.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.examples.text.SmallRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsExperimentsTest {
    @TempDir Path dir;

    /** A shrunken conformer-ctc-tiny on a handful of freshly synthesised clips. */
    List<String> args(String command, Path runDir, Path data, long maxStep) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                command,
                                "--module",
                                "audio.digits",
                                "--config",
                                "conformer-ctc-tiny",
                                "--trainer-dir",
                                runDir.toString()));
        for (String set :
                List.of(
                        "model.dim=32",
                        "model.numLayers=1",
                        "model.subsampler.channels=8",
                        "input.source.count=16",
                        "input.source.dir=" + data,
                        "input.batchSize=4",
                        "evalers[espeak].input.source.count=4",
                        "evalers[espeak].input.source.dir=" + data,
                        "evalers[flite].input.source.count=4",
                        "evalers[flite].input.source.dir=" + data,
                        "evalers[espeak].everyNSteps.n=" + maxStep,
                        "evalers[flite].everyNSteps.n=" + maxStep,
                        "checkpointer.everyNSteps.n=" + maxStep,
                        "summaryEveryNSteps=1",
                        "maxStep=" + maxStep,
                        "learner.optimizer.learningRate.maxStep=" + maxStep,
                        "learner.optimizer.learningRate.warmupSteps=2")) {
            args.add("--set");
            args.add(set);
        }
        return args;
    }

    @Test
    void trainsAFewStepsFromTheCommandLine_evaluatesErrorRates_andTranscribes() throws Exception {
        Path data = dir.resolve("digits");
        Path runDir = dir.resolve("run");
        SmallRun.Result r = SmallRun.run(args("train", runDir, data, 6));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("done: step 6"), r.out());
        assertTrue(r.out().matches("(?s).*eval espeak .*wer [0-9.]+.*"), r.out());
        assertTrue(r.out().matches("(?s).*eval flite .*cer [0-9.]+.*"), r.out());
        SortedMap<Long, Double> losses = SmallRun.losses(runDir);
        assertEquals(6, losses.size());
        assertTrue(
                losses.values().stream().allMatch(l -> Double.isFinite(l) && l > 0),
                losses.toString());

        // The held-out splits are cached apart from training; flite's clips are 16 kHz now.
        Path clip = data.resolve("held_out_flite-4").resolve("00000.wav");
        assertTrue(Files.isRegularFile(clip));
        SmallRun.Result t =
                SmallRun.run(
                        List.of("transcribe", "--trainer-dir", runDir.toString(), clip.toString()));
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().matches("[0-9 ]*\\R"), "transcript: [" + t.out() + "]");

        SmallRun.Result bad =
                SmallRun.run(
                        List.of(
                                "transcribe",
                                "--trainer-dir",
                                runDir.toString(),
                                dir.resolve("none.wav").toString()));
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("none.wav"), bad.err());
    }
}
