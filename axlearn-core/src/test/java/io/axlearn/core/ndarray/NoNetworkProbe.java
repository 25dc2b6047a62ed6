package io.axlearn.core.ndarray;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a fresh JVM by {@link EnginesTest}: records every connection the JVM attempts while the
 * PyTorch engine loads and trains, then proves the recorder works by attempting one itself.
 *
 * <p>Java's sockets and URL connections ask the default {@link ProxySelector} before they connect,
 * so a recording selector sees every attempt made from Java code, DJL's included.
 */
public final class NoNetworkProbe {
    private NoNetworkProbe() {}

    /** Records each URI a connection was about to be opened to. */
    static final class RecordingSelector extends ProxySelector {
        final List<URI> attempts = new CopyOnWriteArrayList<>();

        @Override
        public List<Proxy> select(URI uri) {
            attempts.add(uri);
            return List.of(Proxy.NO_PROXY);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
    }

    public static void main(String[] args) throws Exception {
        RecordingSelector recorder = new RecordingSelector();
        ProxySelector.setDefault(recorder);
        var engine = Engines.pytorch();
        float finalLoss;
        try (NDManager manager = engine.newBaseManager()) {
            finalLoss = EnginesTest.fitLine(manager, 30);
        }
        System.out.println("engine=" + engine.getEngineName() + " " + engine.getVersion());
        System.out.println("finalLoss=" + finalLoss);
        System.out.println("attempts=" + recorder.attempts);
        int before = recorder.attempts.size();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 9), 200);
        } catch (IOException expected) {
            // Refused or no network: what matters is that the recorder saw the attempt.
        }
        System.out.println("guardSeesAttempts=" + (recorder.attempts.size() > before));
        System.exit(0);
    }
}
