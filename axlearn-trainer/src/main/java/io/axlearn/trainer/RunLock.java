package io.axlearn.trainer;

import io.axlearn.trainer.checkpoint.CheckpointException;
import io.axlearn.trainer.summary.Hosts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per run directory: an operating-system lock on {@code <trainerDir>/run.lock}, which
 * holds the PID and host of the run that has it. The lock goes with the process, so a run killed
 * with {@code kill -9} leaves nothing that blocks the next one; the file's contents only name the
 * holder in the refusal.
 */
final class RunLock implements AutoCloseable {
    /** Name of the lock file in a trainer directory. */
    static final String FILE = "run.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code trainerDir}, creating the directory if needed.
     *
     * @throws CheckpointException naming the holder if another run has it
     */
    static RunLock acquire(Path trainerDir) {
        Path file = trainerDir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(trainerDir);
            channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new CheckpointException(
                        "trainer directory "
                                + trainerDir
                                + " is in use by another run ("
                                + (holder.isEmpty() ? "unknown process" : holder)
                                + "; lock file "
                                + file
                                + ")");
            }
            String me = "pid " + ProcessHandle.current().pid() + " on " + Hosts.name();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw new CheckpointException(
                    "cannot lock trainer directory " + trainerDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The lock dies with the channel or the process anyway.
        }
    }
}
