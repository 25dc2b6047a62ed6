package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code axlearn launch} for text.charlm base on 2 machines x 8 ranks, against golden files in
 * {@code src/test/resources/golden/launch} (regenerate with {@code -Dgolden.update=true} and review
 * the diff).
 */
class LaunchManifestsTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/launch");

    @ParameterizedTest
    @CsvSource({
        "mpirun.txt, --backend=mpirun",
        "slurm.sbatch, --backend=slurm --gpus-per-node=8",
        "mpijob.yaml, --backend=kubernetes --kind=mpijob --gpus-per-node=8",
        "trainjob.yaml, --backend=kubernetes --kind=trainjob --gpus-per-node=8"
    })
    void manifestMatchesGolden(String golden, String options) throws IOException {
        List<String> args = new ArrayList<>(List.of("launch"));
        args.addAll(List.of(options.split(" ")));
        args.addAll(
                List.of(
                        "--nodes=2",
                        "--procs-per-node=8",
                        "--threads-per-proc=4",
                        "--image=registry.example/axlearn:1",
                        "--volume-claim=runs",
                        "--module=text.charlm",
                        "--config=base",
                        "--trainer-dir=/runs/charlm-base",
                        "--set",
                        "input.batchSize=16"));
        SmallRun.Result r = SmallRun.run(args);
        assertEquals(0, r.status(), r.err());
        Path file = GOLDEN.resolve(golden);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(file, r.out());
        }
        assertEquals(Files.readString(file), r.out(), "golden " + file);
    }

    /** MPICH-family clusters start ranks through Slurm's PMI-2 rather than PMIx. */
    @Test
    void slurmTakesTheSrunMpiPlugin() {
        SmallRun.Result r =
                SmallRun.run(
                        List.of(
                                "launch",
                                "--backend=slurm",
                                "--mpi=pmi2",
                                "--module=text.charlm",
                                "--config=tiny",
                                "--trainer-dir=/runs/x"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\nsrun --mpi=pmi2 --kill-on-bad-exit=1 "), r.out());
    }

    @ParameterizedTest
    @CsvSource({
        "'--backend=kubernetes', needs --image",
        "'--backend=kubernetes --image=i --volume-claim=c --mount-path=/data', is not under --mount-path",
        "'--backend=slurm --nodes=0', must be at least 1",
        "'--backend=slurm --mpi=PMIx', must be a name such as pmix or pmi2",
        "'--backend=slurm --set learner.optimizer.learningRate.peak=-1',"
                + " learner.optimizer.learningRate must be finite and >= 0"
    })
    void badOptionsSayWhatIsWrong(String options, String message) {
        List<String> args = new ArrayList<>(List.of("launch"));
        args.addAll(List.of(options.split(" ")));
        args.addAll(List.of("--module=text.charlm", "--config=tiny", "--trainer-dir=/runs/x"));
        SmallRun.Result r = SmallRun.run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(message), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
