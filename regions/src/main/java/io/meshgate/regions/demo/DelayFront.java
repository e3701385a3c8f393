package io.meshgate.regions.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The demo's stand-in for the distance between a browser and a region: a TCP front on 127.0.0.1 that forwards each
 * connection to one of the region's edges (round robin, like a load balancer) and delivers every byte, both ways,
 * {@code oneWayMs} late. It is the region's {@code publicUrl}, so {@code /v1/regions} sends clients through it: their
 * pings, WebSocket frames and long-polls all pay the emulated round trip, and the region choice shows on one machine.
 *
 * <p>Threads: one acceptor; per connection and direction one reader, which queues chunks stamped with their due
 * time, and one writer, which sends each when due. Bounds: at most {@link #MAX_CONNECTIONS} connections (more are
 * closed at once) and {@link #QUEUED_CHUNKS} chunks in flight per direction (a full queue blocks the reader, which is
 * TCP's own back-pressure).
 */
public final class DelayFront implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DelayFront.class);
    static final int MAX_CONNECTIONS = 256;
    static final int QUEUED_CHUNKS = 256;
    private static final byte[] END = new byte[0];

    private final ServerSocket server;
    private final List<Integer> targets;
    private final long oneWayNanos;
    private final LongSupplier nanoTime;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private DelayFront(ServerSocket server, List<Integer> targets, long oneWayMs, LongSupplier nanoTime) {
        this.server = server;
        this.targets = List.copyOf(targets);
        this.oneWayNanos = oneWayMs * 1_000_000L;
        this.nanoTime = nanoTime;
    }

    /** Listens on 127.0.0.1:{@code port} (0 for any) in front of the edges on {@code targetPorts}. */
    public static DelayFront start(int port, List<Integer> targetPorts, long oneWayMs) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        DelayFront front = new DelayFront(server, targetPorts, oneWayMs, System::nanoTime);
        daemon(front::acceptLoop, "delay-front-" + server.getLocalPort()).start();
        return front;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (open.incrementAndGet() > MAX_CONNECTIONS) {
                    open.decrementAndGet();
                    client.close();
                    continue;
                }
                int target = targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
                Socket edge = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                edge.setTcpNoDelay(true);
                AtomicInteger directions = new AtomicInteger(2);
                Runnable done = () -> {
                    if (directions.decrementAndGet() == 0) {
                        closeQuietly(client);
                        closeQuietly(edge);
                        open.decrementAndGet();
                    }
                };
                pump(client, edge, done);
                pump(edge, client, done);
            } catch (IOException e) {
                if (!closed) {
                    LOG.debug("delay front {}: {}", port(), e.toString());
                }
            }
        }
    }

    /** Copies {@code from} to {@code to} with the delay; calls {@code done} once both its threads have ended. */
    private void pump(Socket from, Socket to, Runnable done) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        daemon(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    queue.put(new Chunk(nanoTime.getAsLong() + oneWayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException | InterruptedException e) {
                // The peer or the other direction closed the socket: stop reading.
            }
            queue.offer(new Chunk(nanoTime.getAsLong() + oneWayNanos, END));
        }, "delay-in").start();
        daemon(() -> {
            try {
                for (;;) {
                    Chunk chunk = queue.take();
                    long wait = chunk.dueNanos() - nanoTime.getAsLong();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    }
                    if (chunk.bytes() == END) {
                        to.shutdownOutput();
                        break;
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
            done.run();
        }, "delay-out").start();
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Already closed.
        }
    }
}
