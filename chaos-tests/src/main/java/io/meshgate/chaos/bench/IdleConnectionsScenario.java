package io.meshgate.chaos.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * Scenario (c): server heap per idle WebSocket connection.
 *
 * <ol>
 *   <li>Warm-up: a client JVM opens and closes {@value #WARMUP_CONNECTIONS} connections, so one-time work in the
 *       server (class initialisation, pools, lazily built state) is not counted per connection.</li>
 *   <li>Baseline: the server's used heap, read twice 2 s apart; the difference is the noise of one reading.</li>
 *   <li>A new client JVM ({@link IdleClients}) opens N connections, each {@code connect}/{@code connected}, then
 *       idle; once the server counts them the heap is read again.</li>
 *   <li>The clients close; the heap is read a third time (it should be back near the baseline; if not, something
 *       leaks).</li>
 * </ol>
 *
 * <p>Bytes per connection = (heap with connections - baseline) / connections the server added, +/- noise / N. The
 * clients live in other processes, so their heap is never in the figure.
 */
final class IdleConnectionsScenario {
    private static final Logger LOG = LoggerFactory.getLogger(IdleConnectionsScenario.class);
    /** File descriptors kept free for everything else a JVM opens (jars, Hazelcast, selectors, pipes). */
    private static final int FD_HEADROOM = 1024;
    private static final int WARMUP_CONNECTIONS = 200;

    /** Heap figures in bytes. */
    record Result(int requested, int attempted, String cappedBecause, int clientConnected, int clientFailed,
                  long connectMillis, long serverConnectionsBefore, long serverConnectionsHeld,
                  long serverConnectionsAfterClose, long heapBeforeBytes, long heapWithConnectionsBytes,
                  long heapAfterCloseBytes, long baselineNoiseBytes, long bytesPerConnection,
                  long bytesPerConnectionUncertainty, double kibPerConnection,
                  long clientHeapBytesPerConnection, String method, boolean forcedGc, List<String> notes) {
    }

    private final BenchConfig config;
    private final Target target;

    IdleConnectionsScenario(BenchConfig config, Target target) {
        this.config = config;
        this.target = target;
    }

    Result run() {
        HeapProbe probe = target.heap();
        List<String> notes = new ArrayList<>();
        int requested = config.idleConnections();
        String capped = capByOpenFiles(requested);
        int attempted = capped == null ? requested : capacity();
        if (capped != null) {
            LOG.warn(capped);
        }

        long initial = probe.connections();
        int warmup = Math.min(WARMUP_CONNECTIONS, attempted);
        LOG.info("idle: warm-up, {} connections opened and closed by a client JVM", warmup);
        try (IdleClientJvm clients = IdleClientJvm.start(config, target.idleUrls(), warmup)) {
            clients.awaitReady(120);
        }
        waitFor(probe::connections, n -> n <= initial, 60);
        Sleep.millis(2000);

        long serverBefore = probe.connections();
        long heapFirst = probe.usedHeapBytes();
        Sleep.millis(2000);
        long heapBefore = probe.usedHeapBytes();
        long noise = Math.abs(heapBefore - heapFirst);
        LOG.info("idle: server heap before {} MiB (noise {} KiB), {} connections; opening {} idle connections from"
                + " a separate JVM", heapBefore >> 20, noise >> 10, serverBefore, attempted);

        IdleClientJvm.Ready ready;
        long held;
        long heapWith;
        try (IdleClientJvm clients = IdleClientJvm.start(config, target.idleUrls(), attempted)) {
            ready = clients.awaitReady(120 + attempted / 25);
            if (ready.failed() > 0) {
                notes.add("client: " + ready.failed() + " connections failed: " + ready.errors());
            }
            long expectedHeld = serverBefore + ready.connected();
            waitFor(probe::connections, n -> n >= expectedHeld, 30);
            Sleep.millis(2000);
            held = probe.connections();
            heapWith = probe.usedHeapBytes();
            if (held != expectedHeld) {
                notes.add("the server counts " + held + " connections; expected " + expectedHeld + " ("
                        + serverBefore + " before + " + ready.connected() + " the client opened)");
            }
            if (!clients.closeAndWait(60)) {
                notes.add("the idle client JVM did not exit within 60 s of close; killed");
            }
        }
        long added = held - serverBefore;
        long perConnection = added <= 0 ? 0 : (heapWith - heapBefore) / added;
        long uncertainty = added <= 0 ? 0 : noise / added;
        LOG.info("idle: server held {} connections, heap {} MiB: {} bytes per connection (+/- {})", held,
                heapWith >> 20, perConnection, uncertainty);

        waitFor(probe::connections, n -> n <= serverBefore, 60);
        Sleep.millis(2000);
        long after = probe.connections();
        long heapAfter = probe.usedHeapBytes();
        LOG.info("idle: after close, server holds {} connections, heap {} MiB", after, heapAfter >> 20);
        if (!probe.forcesGc()) {
            notes.add("heap read without a forced GC: the figures include garbage and are noisy");
        }
        return new Result(requested, attempted, capped, ready.connected(), ready.failed(), ready.millis(),
                serverBefore, held, after, heapBefore, heapWith, heapAfter, noise, perConnection, uncertainty,
                Math.round(perConnection / 102.4) / 10.0, ready.clientHeapPerConnection(), probe.method(),
                probe.forcesGc(), List.copyOf(notes));
    }

    /** How many connections the open-file limit leaves room for: the client JVM needs one fd per connection, and
     * a self-hosted server (this JVM) one more. {@link Integer#MAX_VALUE} when the limit is unknown. */
    private int capacity() {
        long limit = OpenFiles.softLimit();
        if (limit <= 0) {
            return Integer.MAX_VALUE;
        }
        long serverFree = config.selfHosted() ? limit - OpenFiles.openNow() - FD_HEADROOM : Long.MAX_VALUE;
        long clientFree = limit - FD_HEADROOM;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(serverFree, clientFree)));
    }

    /** Null when {@code requested} fits; otherwise why it was capped. */
    private String capByOpenFiles(int requested) {
        int room = capacity();
        if (room >= requested) {
            return null;
        }
        return "ulimit -n is " + OpenFiles.softLimit() + ": " + requested + " connections capped to " + room
                + " (raise it with `ulimit -n` to measure more)";
    }

    private static void waitFor(LongSupplier value, LongPredicate done, int timeoutS) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        while (System.nanoTime() < deadline && !done.test(value.getAsLong())) {
            Sleep.millis(250);
        }
    }
}
