package io.meshgate.chaos.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a {@link ProxyLink}: a reader thread moves bytes from one socket into a bounded queue, a writer
 * thread takes them out, applies the toxics of its {@link Stream} and writes them to the other socket. The queue
 * bounds what a slowed direction holds; when it is full the reader stops reading and TCP pushes back on the sender,
 * as a slow network would. The writer re-reads the toxics before every write, so toxics added or removed while a
 * connection is open act on it at once, and a single writer keeps the bytes in order.
 */
final class LinkPipe {
    private static final int CHUNK_BYTES = 16 * 1024;
    /** At most 64 chunks of 16 KiB, so 1 MiB, held per direction. */
    private static final int QUEUE_CHUNKS = 64;
    private static final Chunk EOF = new Chunk(new byte[0], 0, 0);

    /** Bytes as read, with the time they arrived (latency counts from then) and this chunk's jitter draw in [-1, 1). */
    private record Chunk(byte[] data, long readAtNanos, double jitterDraw) {
    }

    private final ProxyLink link;
    private final Stream stream;
    private final Socket from;
    private final Socket to;
    private final ToxicTable toxics;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);

    // Owned by the writer thread.
    private final Map<Toxic, Long> bytesUnderLimit = new IdentityHashMap<>();
    private long bandwidthFreeAtNanos;
    private boolean resetScheduled;

    private volatile Thread reader;
    private volatile Thread writer;

    LinkPipe(ProxyLink link, Stream stream, Socket from, Socket to, ToxicTable toxics) {
        this.link = link;
        this.stream = stream;
        this.from = from;
        this.to = to;
        this.toxics = toxics;
    }

    void start(String namePrefix) {
        String name = namePrefix + "-" + stream.wireName();
        reader = Daemons.start(name + "-read", this::readLoop);
        writer = Daemons.start(name + "-write", this::writeLoop);
    }

    /** Called by the link when it closes: wakes both threads from a blocked queue or a toxic wait. */
    void interrupt() {
        Thread r = reader;
        Thread w = writer;
        if (r != null) {
            r.interrupt();
        }
        if (w != null) {
            w.interrupt();
        }
    }

    private void readLoop() {
        byte[] buffer = new byte[CHUNK_BYTES];
        try {
            InputStream in = from.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                double jitterDraw = ThreadLocalRandom.current().nextDouble(-1, 1);
                queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime(), jitterDraw));
            }
            queue.put(EOF);
        } catch (IOException e) {
            link.close(stream.wireName() + " read ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        try {
            OutputStream out = to.getOutputStream();
            while (!link.isClosed()) {
                Chunk chunk = queue.take();
                if (chunk == EOF) {
                    // Half-close, as TCP does: the other direction may still have data to deliver.
                    to.shutdownOutput();
                    link.pipeFinished();
                    return;
                }
                deliver(chunk, out);
            }
        } catch (IOException e) {
            link.close(stream.wireName() + " write failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes one chunk as the current toxics allow. Each pass of the loop writes at least one byte, drops the chunk,
     * or waits until a deadline or a change of toxics, so it ends; a closed link interrupts the wait.
     */
    private void deliver(Chunk chunk, OutputStream out) throws IOException, InterruptedException {
        int offset = 0;
        while (offset < chunk.data().length && !link.isClosed()) {
            ToxicTable.Snapshot snapshot = toxics.snapshot();
            List<Toxic> active = snapshot.on(stream);
            if (has(active, ToxicKind.TIMEOUT)) {
                return; // Toxiproxy drops data while a timeout toxic is present
            }
            if (has(active, ToxicKind.RESET_PEER)) {
                scheduleReset(first(active, ToxicKind.RESET_PEER));
                return;
            }
            long waitNanos = latencyWaitNanos(active, chunk);
            if (bandwidthBytesPerSecond(active) > 0) {
                waitNanos = Math.max(waitNanos, bandwidthFreeAtNanos - System.nanoTime());
            }
            if (waitNanos > 0) {
                toxics.awaitChange(snapshot.version(), waitNanos);
                continue;
            }
            int length = allowedBytes(active, chunk.data().length - offset);
            if (length > 0) {
                out.write(chunk.data(), offset, length);
                out.flush();
                offset += length;
                account(active, length);
            }
            if (limitReached(active)) {
                link.close("limit_data reached on " + stream.wireName());
                return;
            }
        }
    }

    private long latencyWaitNanos(List<Toxic> active, Chunk chunk) {
        long latencyMs = 0;
        long jitterMs = 0;
        for (Toxic toxic : active) {
            if (toxic.kind() == ToxicKind.LATENCY) {
                latencyMs += toxic.attribute("latency");
                jitterMs += toxic.attribute("jitter");
            }
        }
        long delayMs = latencyMs + Math.round(chunk.jitterDraw() * jitterMs);
        return chunk.readAtNanos() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs)) - System.nanoTime();
    }

    /** How much of {@code remaining} may go now: a bandwidth toxic sends 100 ms worth at a time, limit_data what is left. */
    private int allowedBytes(List<Toxic> active, int remaining) {
        long allowed = remaining;
        long rate = bandwidthBytesPerSecond(active);
        if (rate > 0) {
            allowed = Math.min(allowed, Math.max(1, rate / 10));
        }
        pruneLimits(active);
        for (Toxic toxic : active) {
            if (toxic.kind() == ToxicKind.LIMIT_DATA) {
                allowed = Math.min(allowed, toxic.attribute("bytes") - bytesUnderLimit.getOrDefault(toxic, 0L));
            }
        }
        return (int) Math.max(0, allowed);
    }

    private void account(List<Toxic> active, int written) {
        long rate = bandwidthBytesPerSecond(active);
        if (rate > 0) {
            long now = System.nanoTime();
            bandwidthFreeAtNanos = Math.max(bandwidthFreeAtNanos, now) + TimeUnit.SECONDS.toNanos(written) / rate;
        }
        for (Toxic toxic : active) {
            if (toxic.kind() == ToxicKind.LIMIT_DATA) {
                bytesUnderLimit.merge(toxic, (long) written, Long::sum);
            }
        }
    }

    private boolean limitReached(List<Toxic> active) {
        for (Toxic toxic : active) {
            if (toxic.kind() == ToxicKind.LIMIT_DATA && bytesUnderLimit.getOrDefault(toxic, 0L) >= toxic.attribute("bytes")) {
                return true;
            }
        }
        return false;
    }

    /** Forgets counts of limit_data toxics that were removed or replaced: a new toxic counts from zero. */
    private void pruneLimits(List<Toxic> active) {
        bytesUnderLimit.keySet().removeIf(counted -> active.stream().noneMatch(toxic -> toxic == counted));
    }

    private void scheduleReset(Toxic resetPeer) {
        if (!resetScheduled) {
            resetScheduled = true;
            link.resetAfter(resetPeer.attribute("timeout"), "reset_peer " + resetPeer.name());
        }
    }

    /** The smallest positive rate of the bandwidth toxics, in bytes/s (Toxiproxy's KB is 1000 bytes); 0 if none. */
    private static long bandwidthBytesPerSecond(List<Toxic> active) {
        long rate = 0;
        for (Toxic toxic : active) {
            long kbPerSecond = toxic.attribute("rate");
            if (toxic.kind() == ToxicKind.BANDWIDTH && kbPerSecond > 0) {
                rate = rate == 0 ? kbPerSecond * 1000 : Math.min(rate, kbPerSecond * 1000);
            }
        }
        return rate;
    }

    private static boolean has(List<Toxic> active, ToxicKind kind) {
        return active.stream().anyMatch(toxic -> toxic.kind() == kind);
    }

    private static Toxic first(List<Toxic> active, ToxicKind kind) {
        return active.stream().filter(toxic -> toxic.kind() == kind).findFirst().orElseThrow();
    }
}
