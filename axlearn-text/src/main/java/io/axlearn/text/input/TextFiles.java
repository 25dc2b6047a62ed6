package io.axlearn.text.input;

import io.axlearn.core.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads text corpora as bytes: a file, a folder of files (recursively, in path order, joined with
 * newlines), or a class-path resource written {@code classpath:some/path.txt.gz}. Files ending in
 * {@code .gz} are decompressed. Results are cached per location for the life of the JVM.
 */
public final class TextFiles {
    /** Prefix of class-path locations. */
    public static final String CLASSPATH = "classpath:";

    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private TextFiles() {}

    /**
     * The bytes at {@code location}.
     *
     * @param location a file, a folder, or {@code classpath:...}
     * @param configPath the config path that named it, for error messages
     * @throws ConfigException naming the config path and the location if it cannot be read
     */
    public static byte[] read(String location, String configPath) {
        return CACHE.computeIfAbsent(location, l -> load(l, configPath));
    }

    private static byte[] load(String location, String configPath) {
        try {
            if (location.startsWith(CLASSPATH)) {
                String resource = location.substring(CLASSPATH.length());
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                InputStream in = loader == null ? null : loader.getResourceAsStream(resource);
                if (in == null) {
                    throw new ConfigException(configPath + ": no class-path resource " + resource);
                }
                return readAll(in, resource.endsWith(".gz"));
            }
            Path path = Path.of(location);
            if (Files.isRegularFile(path)) {
                return readAll(Files.newInputStream(path), location.endsWith(".gz"));
            }
            if (Files.isDirectory(path)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(path)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                if (files.isEmpty()) {
                    throw new ConfigException(
                            configPath + ": folder " + location + " has no files");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (Path f : files) {
                    out.write(readAll(Files.newInputStream(f), f.toString().endsWith(".gz")));
                    out.write('\n');
                }
                return out.toByteArray();
            }
            throw new ConfigException(configPath + ": no such file or folder: " + location);
        } catch (IOException e) {
            throw new ConfigException(
                    configPath + ": cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(InputStream raw, boolean gzip) throws IOException {
        try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
            return in.readAllBytes();
        }
    }
}
