package io.axlearn.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds real C sources from this package's test resources with the system compiler. */
class NativeBuildTest {
    private static final List<String> CC = List.of("cc", "-shared", "-fPIC", "-O2");

    @TempDir Path dir;

    @BeforeEach
    void needsCompiler() {
        assumeTrue(DebianPackages.onPath("cc"), "needs a C compiler (cc) on the PATH");
    }

    @Test
    void builtLibrary_loadsAndRuns_andIsReusedUntilTheSaltChanges() throws Exception {
        NativeBuild build = answer("");
        Path library = build.library(dir);
        assertTrue(
                library.getFileName().toString().matches("libaxlearn_answer-[0-9a-f]{12}\\.so"),
                library.toString());
        NativeLibrary loaded = NativeLibrary.getInstance(library.toString());
        assertEquals(
                42, loaded.getFunction("axlearn_native_build_answer").invokeInt(new Object[0]));

        FileTime built = Files.getLastModifiedTime(library);
        assertEquals(library, answer("").library(dir), "same source, same library");
        assertEquals(built, Files.getLastModifiedTime(library), "not compiled again");
        assertNotEquals(library, answer("another JDK").library(dir), "the salt is in the name");
        try (var files = Files.list(dir)) {
            assertTrue(
                    files.noneMatch(p -> p.toString().endsWith(".partial")),
                    "no temporary file is left");
        }
    }

    @Test
    void compilerError_namesTheSourceExitStatusAndLog_andLeavesNoLibrary() throws IOException {
        NativeBuild build =
                new NativeBuild(
                        NativeBuildTest.class,
                        "native_build_broken.c",
                        "axlearn_broken",
                        CC,
                        List.of(),
                        "");
        IOException e = assertThrows(IOException.class, () -> build.library(dir));
        assertTrue(e.getMessage().startsWith("cc could not build "), e.getMessage());
        assertTrue(e.getMessage().contains("native_build_broken.c (exit 1; "), e.getMessage());
        assertTrue(e.getMessage().contains("axlearn_broken.build.log"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".so")), "no library");
        }
    }

    @Test
    void missingSource_isNamed() {
        NativeBuild build =
                new NativeBuild(
                        NativeBuildTest.class, "absent.c", "axlearn_absent", CC, List.of(), "");
        IOException e = assertThrows(IOException.class, () -> build.library(dir));
        assertTrue(
                e.getMessage().startsWith("absent.c is missing from the classpath"),
                e.getMessage());
    }

    private static NativeBuild answer(String salt) {
        return new NativeBuild(
                NativeBuildTest.class,
                "native_build_answer.c",
                "axlearn_answer",
                CC,
                List.of(),
                salt);
    }
}
