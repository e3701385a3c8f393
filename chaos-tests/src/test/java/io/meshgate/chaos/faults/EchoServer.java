package io.meshgate.chaos.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP echo server on a free port of 127.0.0.1, the upstream the fault proxy tests put proxies in front of. */
final class EchoServer implements AutoCloseable {
    private final ServerSocket listener;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private EchoServer(ServerSocket listener) {
        this.listener = listener;
    }

    static EchoServer start() throws IOException {
        EchoServer server = new EchoServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Daemons.start("echo-accept", server::acceptLoop);
        return server;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connections.add(socket);
                Daemons.start("echo-" + socket.getPort(), () -> echo(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Echoes until end of stream, then half-closes, so a proxy's own half-close is visible to its client. */
    private void echo(Socket socket) {
        byte[] buffer = new byte[8192];
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            // The proxy closed or reset the connection: that is what many tests do on purpose.
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }
}
