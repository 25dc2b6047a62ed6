package io.axlearn.audio.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.axlearn.audio.input.WavFile;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KaldiFbankTest {
    static final Path LIBRIVOX = Path.of("src/test/resources/librivox");

    /** Relative tolerance of the issue; absolute slack for float32 log energies near 0. */
    static final double RTOL = 1e-4;

    static final double ATOL = 1e-4;

    @Test
    void matchesTorchaudioKaldiFbankOnFiveLibrivoxClips() {
        try (NDManager m = TorchGolden.manager()) {
            KaldiFbank fbank = KaldiFbank.config().instantiate();
            for (int i = 0; i < 5; i++) {
                TorchGolden g = TorchGolden.load(KaldiFbankTest.class, "librivox" + i, m);
                float[] wave = WavFile.read(LIBRIVOX.resolve(g.meta("file"))).samples();
                KaldiFbank.Output out =
                        fbank.forward(
                                ForwardContext.eval(ParamTree.of(Map.of()), m),
                                m.create(wave).reshape(1, -1),
                                m.create(new int[] {wave.length}));
                NDArray expected = g.output("fbank");
                TorchGolden.assertAllClose(
                        expected, out.features().get(0), RTOL, ATOL, g.meta("file"));
                assertEquals(expected.getShape().get(0), out.lengths().getLong(0));
            }
        }
    }

    @Test
    void batchOfTwoPaddedClipsMatchesEachAlone_with80Bins() {
        try (NDManager m = TorchGolden.manager()) {
            KaldiFbank fbank = KaldiFbank.config().numMelBins(80).instantiate();
            TorchGolden g = TorchGolden.load(KaldiFbankTest.class, "mel80", m);
            float[] a = WavFile.read(LIBRIVOX.resolve(g.meta("file"))).samples();
            float[] b = java.util.Arrays.copyOf(a, 5000);
            float[] padded = java.util.Arrays.copyOf(b, a.length);
            NDArray batch = m.create(a).stack(m.create(padded));
            KaldiFbank.Output out =
                    fbank.forward(
                            ForwardContext.eval(ParamTree.of(Map.of()), m),
                            batch,
                            m.create(new int[] {a.length, b.length}));
            assertArrayEquals(
                    new long[] {out.features().getShape().get(1), 29}, out.lengths().toLongArray());
            NDArray expected = g.output("fbank");
            TorchGolden.assertAllClose(expected, out.features().get(0), RTOL, ATOL, "clip");
            TorchGolden.assertAllClose(
                    expected.get(new NDIndex(":29")),
                    out.features().get(new NDIndex("1, :29")),
                    RTOL,
                    ATOL,
                    "first 29 frames of the cut clip");
        }
    }
}
