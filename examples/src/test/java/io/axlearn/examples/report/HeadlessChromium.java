package io.axlearn.examples.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium for tests that look at a page as a browser draws it: found on the
 * {@code PATH}, or installed with {@code apt-get} when running as root (with an {@code apt-get
 * update} if the first try fails), as the project installs its other packages.
 */
final class HeadlessChromium {
    private HeadlessChromium() {}

    /** Why the browser is missing and cannot be installed here. */
    static final class Unavailable extends Exception {
        Unavailable(String why) {
            super(why);
        }
    }

    /**
     * The browser's executable, installing Debian's package if needed.
     *
     * @throws Unavailable if it is missing and cannot be installed here (not root, no apt-get, or
     *     the install failed)
     */
    static Path executable() throws IOException, InterruptedException, Unavailable {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        if (!"root".equals(System.getProperty("user.name"))
                || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            throw new Unavailable(
                    "chromium is not installed and only root with apt-get can install it: apt-get"
                            + " install chromium");
        }
        if (run(List.of("apt-get", "install", "-y", "-qq", "chromium"), 900) != 0
                && (run(List.of("apt-get", "update", "-qq"), 600) != 0
                        || run(List.of("apt-get", "install", "-y", "-qq", "chromium"), 900) != 0)) {
            throw new Unavailable("apt-get install chromium failed");
        }
        return Path.of("/usr/bin/chromium");
    }

    /**
     * Opens {@code page} and saves what the browser draws, after its scripts ran, as a PNG.
     *
     * @param page an HTML file
     * @param png where the screenshot goes
     * @param width viewport width in pixels
     * @param height viewport height in pixels
     */
    static void screenshot(Path page, Path png, int width, int height)
            throws IOException, InterruptedException, Unavailable {
        List<String> command =
                List.of(
                        executable().toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--hide-scrollbars",
                        "--virtual-time-budget=5000",
                        "--window-size=" + width + "," + height,
                        "--screenshot=" + png.toAbsolutePath(),
                        page.toAbsolutePath().toUri().toString());
        int status = run(command, 120);
        if (status != 0 || !Files.isRegularFile(png)) {
            throw new IllegalStateException(
                    "chromium exited " + status + " without writing " + png + ": " + command);
        }
    }

    private static int run(List<String> command, long timeoutSeconds)
            throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
