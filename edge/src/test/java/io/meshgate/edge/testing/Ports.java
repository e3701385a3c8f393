package io.meshgate.edge.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports, so concurrent test runs on one machine never collide. A port this JVM already handed out is
 * never returned twice (a configuration that needs six ports would otherwise, now and then, get one twice).
 *
 * <p>Ports come from below Linux's ephemeral range (32768 and up), not from binding port 0: a Hazelcast member that
 * dials a listed port before its owner has bound it can be given that very port as its own source port and connect
 * TCP to itself ("Connecting to self!"). A port outside the ephemeral range is never anyone's source port.
 */
public final class Ports {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    private static final int LOW_PORT = 20_000;
    private static final int HIGH_PORT = 32_000;

    public static int free() {
        int port = LOW_PORT + ThreadLocalRandom.current().nextInt(HIGH_PORT - LOW_PORT);
        for (int attempt = 0; attempt < 2_000; attempt++) {
            port = port + 1 >= HIGH_PORT ? LOW_PORT : port + 1;
            if (!HANDED_OUT.contains(port) && canBind(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in " + LOW_PORT + "-" + HIGH_PORT
                + " that this JVM has not handed out already");
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
