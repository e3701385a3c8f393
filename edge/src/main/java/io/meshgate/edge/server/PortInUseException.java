package io.meshgate.edge.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A port a node needs is taken: one sentence that names the port, what it is for and how to pick another, instead
 * of the stack traces Undertow, Netty or Hazelcast print when they find out. Nodes check their ports with
 * {@link #check} before starting anything, so nothing is left half-started.
 */
public final class PortInUseException extends RuntimeException {

    public PortInUseException(String what, String host, int port, String hint) {
        super(what + " port " + port + " on " + host + " is already in use (another gateway or demo running?); "
                + hint);
    }

    /**
     * Throws when {@code port} (0 means any free one, never taken) cannot be bound on {@code host} right now. The
     * probe socket is closed at once; a race with another process is still reported by the server that loses it.
     */
    static void check(String what, String host, int port, String hint) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new PortInUseException(what, host, port, hint);
        }
    }
}
