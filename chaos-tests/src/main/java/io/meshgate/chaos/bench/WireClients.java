package io.meshgate.chaos.bench;

import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;

/**
 * The wire benchmark's side of its {@link WireClientJvm} processes: starts them (with a raised open-files limit
 * through {@code prlimit}), waits for their connections, asks for their counts and latencies, and stops them.
 *
 * <p>Threads: the caller's, plus one daemon thread per process reading its stdout into a queue.
 */
final class WireClients implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WireClients.class);

    /** What every process counted so far, with the latencies since the previous call. */
    record Stats(long received, long outOfOrder, long lostConnections, Histogram latency, String firstProblem,
                 long minPerSubscriber, long maxPerSubscriber, long subscribersBehind) {
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<BlockingQueue<String>> lines = new ArrayList<>();
    private final int count;

    private WireClients(int count) {
        this.count = count;
    }

    /**
     * Starts {@code processes} JVMs sharing {@code count} connections; subscriber {@code i} (over all processes) is
     * on channel {@code prefix + i / perChannel}; {@code idle} connections subscribe to nothing.
     */
    static WireClients start(WireProtocol protocol, int port, List<String> sources, boolean idle, int count,
                             String prefix, int perChannel, int processes, int maxSeconds, Path logDir)
            throws IOException {
        WireClients clients = new WireClients(count);
        int first = 0;
        for (int p = 0; p < processes; p++) {
            int share = count / processes + (p < count % processes ? 1 : 0);
            int nofile = share + 1024;
            List<String> cmd = new ArrayList<>(List.of("prlimit", "--nofile=" + nofile + ":" + nofile,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + (idle ? "768m" : "512m"), "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                    "-cp", System.getProperty("java.class.path"), WireClientJvm.class.getName(), protocol.name(),
                    String.valueOf(port), String.join(",", sources), idle ? "idle" : "sub", String.valueOf(share),
                    prefix, String.valueOf(perChannel), String.valueOf(first), "256", String.valueOf(maxSeconds)));
            Process process = new ProcessBuilder(cmd)
                    .redirectError(logDir.resolve("clients-" + protocol.name().toLowerCase() + "-" + p + ".log")
                            .toFile())
                    .start();
            BlockingQueue<String> queue = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> pipe(process, queue), "wire-clients-" + p);
            reader.setDaemon(true);
            reader.start();
            clients.processes.add(process);
            clients.lines.add(queue);
            first += share;
        }
        return clients;
    }

    /** Waits for every process's {@code ready} line; returns the connections that got ready. */
    long awaitReady(long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long ready = 0;
        for (int p = 0; p < processes.size(); p++) {
            while (true) {
                String line = lines.get(p).poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IllegalStateException("client process " + p + " not ready in " + timeoutSeconds + " s");
                }
                if (line.startsWith("progress")) {
                    LOG.info("clients {}: {}", p, line);
                } else if (line.startsWith("ready")) {
                    String[] f = line.split(" ", 4);
                    ready += Long.parseLong(f[1]);
                    if (Long.parseLong(f[2]) > 0) {
                        LOG.warn("clients {}: {} connections failed, first: {}", p, f[2], f.length > 3 ? f[3] : "");
                    }
                    break;
                }
            }
        }
        LOG.info("{} of {} connections ready", ready, count);
        return ready;
    }

    Stats stats() throws InterruptedException {
        long received = 0;
        long outOfOrder = 0;
        long lost = 0;
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        String problem = "";
        long min = Long.MAX_VALUE;
        long max = 0;
        long behind = 0;
        for (Process p : processes) {
            PrintWriter out = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println("stats");
        }
        for (int p = 0; p < processes.size(); p++) {
            while (true) {
                String line = lines.get(p).poll(30, TimeUnit.SECONDS);
                if (line == null) {
                    throw new IllegalStateException("client process " + p + " did not answer stats");
                }
                if (!line.startsWith("stats ")) {
                    continue;
                }
                // stats <received> <outOfOrder> <lost> <ready> <histogram> <disorder|-> <min> <max> <behind> <failure>
                String[] f = line.split(" ", 11);
                received += Long.parseLong(f[1]);
                outOfOrder += Long.parseLong(f[2]);
                lost += Long.parseLong(f[3]);
                try {
                    latency.add(Histogram.decodeFromCompressedByteBuffer(
                            ByteBuffer.wrap(Base64.getDecoder().decode(f[5])), 0));
                } catch (DataFormatException e) {
                    throw new IllegalStateException("bad histogram from client process " + p, e);
                }
                min = Math.min(min, Long.parseLong(f[7]));
                max = Math.max(max, Long.parseLong(f[8]));
                behind += Long.parseLong(f[9]);
                if (problem.isEmpty() && (!f[6].equals("-") || (f.length > 10 && !f[10].isBlank()))) {
                    problem = (f[6].equals("-") ? "" : "out of order at " + f[6] + "; ") + (f.length > 10 ? f[10] : "");
                }
                break;
            }
        }
        return new Stats(received, outOfOrder, lost, latency, problem, min == Long.MAX_VALUE ? 0 : min, max, behind);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            try {
                p.getOutputStream().write("close\n".getBytes(StandardCharsets.US_ASCII));
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void pipe(Process process, BlockingQueue<String> queue) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                queue.add(line);
            }
        } catch (IOException ignored) {
            // process ended
        }
    }
}
