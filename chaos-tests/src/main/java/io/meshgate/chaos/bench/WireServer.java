package io.meshgate.chaos.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server process the wire benchmark measures: one {@code gateway.jar node}, a {@code nats-server}, or the bare
 * {@link CeilingServer}; started with a raised open-files limit, read through {@code /proc} (CPU time, peak RSS),
 * stopped with SIGTERM then SIGKILL.
 *
 * <p>Threads: the caller's only.
 */
final class WireServer implements AutoCloseable {
    /** Clock ticks per second of /proc/[pid]/stat's utime and stime (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    private final String name;
    private final Process process;
    private final int port;

    private WireServer(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    static WireServer start(String name, List<String> command, int port, int nofile, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--nofile=" + nofile + ":" + nofile));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // A bench stopped early (Ctrl-C, kill) must not leave its server behind holding the port and the cores.
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, name + "-stopper"));
        WireServer server = new WireServer(name, p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(name + " exited at start with " + p.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return server;
            } catch (IOException notYet) {
                Sleep.millis(200);
            }
        }
        server.close();
        throw new IOException(name + " not listening on " + port + " within 90 s; see " + log);
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    /** The server's own pid (prlimit execs it, so the child is the server). */
    long pid() {
        return process.pid();
    }

    /** User plus system CPU time so far, in nanoseconds. */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code VmRSS} or {@code VmHWM} (peak) from /proc/[pid]/status, in KiB; -1 if unreadable. */
    long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // gone
        }
        return -1;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
