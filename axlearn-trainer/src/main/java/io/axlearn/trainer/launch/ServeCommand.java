package io.axlearn.trainer.launch;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.serve.CompletionServer;
import io.axlearn.trainer.serve.TrainedGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code axlearn serve}: serves the model of a run (its {@code config.json} and newest complete
 * checkpoint) behind an OpenAI-style HTTP API ({@link CompletionServer}) until the process is
 * stopped (Ctrl-C, SIGTERM).
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Serve the model of --trainer-dir over HTTP: POST /v1/completions, POST"
                        + " /v1/chat/completions, GET /v1/models, GET /health.")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--trainer-dir", required = true, description = "Run directory.")
    Path trainerDir;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to bind; the default serves this machine only.")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8000",
            description = "Port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--api-key-file",
            description = "File whose first line is the key every request must send as bearer.")
    Path apiKeyFile;

    @Option(
            names = "--model-name",
            description = "Model id of the API. Default: the run directory's name.")
    String modelName;

    @Option(
            names = "--max-tokens",
            defaultValue = "512",
            description = "Largest max_tokens a request may ask. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(
            names = "--max-concurrent",
            defaultValue = "8",
            description =
                    "Most requests generating or waiting; more get 429. Default: ${DEFAULT-VALUE}.")
    int maxConcurrent;

    @Option(
            names = "--max-request-bytes",
            defaultValue = "1048576",
            description = "Largest request body; larger get 413. Default: ${DEFAULT-VALUE}.")
    int maxRequestBytes;

    @Override
    public Integer call() throws InterruptedException {
        CompletionServer.Limits limits;
        try {
            limits = new CompletionServer.Limits(maxRequestBytes, maxTokens, maxConcurrent);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        String key = apiKeyFile == null ? null : readKey(apiKeyFile);
        String name =
                modelName != null
                        ? modelName
                        : trainerDir.toAbsolutePath().normalize().getFileName().toString();
        PrintWriter err = spec.commandLine().getErr();
        try (NDManager root = Engines.pytorch().newBaseManager()) {
            TrainedGenerator run =
                    TrainedGenerator.load(trainerDir, root, w -> err.println("warning: " + w));
            CountDownLatch stopped = new CountDownLatch(1);
            try (CompletionServer server =
                    CompletionServer.start(
                            run,
                            root,
                            new CompletionServer.Options(host, port, key, name, limits),
                            err)) {
                Thread hook = new Thread(stopped::countDown, "serve-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                PrintWriter out = spec.commandLine().getOut();
                out.println(
                        "serving "
                                + name
                                + " (step "
                                + run.step()
                                + ") at "
                                + server.baseUri()
                                + (key == null ? "" : " (bearer key required)"));
                out.flush();
                stopped.await();
            }
        }
        return 0;
    }

    /** The first line of {@code file}, stripped; it must not be empty. */
    static String readKey(Path file) {
        String key;
        try {
            key = Files.readAllLines(file).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new ConfigException("--api-key-file " + file + ": cannot read it (" + e + ")");
        }
        if (key.isEmpty()) {
            throw new ConfigException("--api-key-file " + file + ": its first line is empty");
        }
        return key;
    }
}
