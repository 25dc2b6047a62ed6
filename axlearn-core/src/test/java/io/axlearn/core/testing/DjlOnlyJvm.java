package io.axlearn.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a DJL user's main class in a child JVM whose class path holds only DJL, the PyTorch engine,
 * the main classes of the named axlearn modules and their libraries: no test classes (but the main
 * class's own class file, copied alone), no other axlearn module. Serving tests use it to show that
 * an exported model needs nothing of the trainer.
 */
public final class DjlOnlyJvm {
    private DjlOnlyJvm() {}

    /**
     * Runs {@code mainClass} and asserts exit status 0.
     *
     * @param work a scratch directory
     * @param mainClass the user's main class (a test class, its class file copied alone)
     * @param modules axlearn modules whose main classes are on the path ({@code "axlearn-core"})
     * @param args the program's arguments
     */
    public static void run(Path work, Class<?> mainClass, List<String> modules, String... args)
            throws Exception {
        Path userClasses = work.resolve("user-classes");
        String classFile = mainClass.getName().replace('.', '/') + ".class";
        Path target = userClasses.resolve(classFile);
        Files.createDirectories(target.getParent());
        try (InputStream in = mainClass.getClassLoader().getResourceAsStream(classFile)) {
            Files.copy(in, target);
        }
        List<String> classPath = new ArrayList<>(List.of(userClasses.toString()));
        String full =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : full.split(File.pathSeparator)) {
            boolean ours = modules.stream().anyMatch(entry::contains);
            boolean testOnly =
                    entry.contains("test-classes")
                            || entry.contains("junit")
                            || entry.contains("opentest4j")
                            || entry.contains("apiguardian")
                            || entry.contains("-tests.jar");
            if (!testOnly && (ours || !entry.contains("axlearn"))) {
                classPath.add(entry);
            }
        }
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                String.join(File.pathSeparator, classPath),
                                mainClass.getName()));
        command.addAll(List.of(args));
        Path log = work.resolve("child.log");
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), mainClass.getSimpleName() + " timed out");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }
}
