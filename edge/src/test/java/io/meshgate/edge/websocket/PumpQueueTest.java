package io.meshgate.edge.websocket;

import org.junit.jupiter.api.Test;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How an I/O thread's pumps are taken. An I/O thread busy pumping fan-out still reads its sockets: with a real XNIO worker of one I/O thread, a feeder
 * keeps adding pumps of 200 µs each for 1.5 s, and a byte sent to a socket of that thread must be read long before
 * the feeder stops. Before pumping was cut into turns, one task ran every pump added meanwhile, so the read waited
 * for the whole burst: the way a publisher's {@code pub} waited behind fan-out (issue 10, item 3).
 */
class PumpQueueTest {
    private static final long BURST_MS = 1_500;

    @Test
    void aSocketIsReadWhileFeedsKeepThePumpQueueBusy() throws Exception {
        XnioWorker worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        CompletableFuture<Long> readAt = new CompletableFuture<>();
        CompletableFuture<XnioIoThread> acceptedOn = new CompletableFuture<>();
        ChannelListener<AcceptingChannel<StreamConnection>> accept = server -> {
            try {
                StreamConnection c = server.accept();
                if (c == null) {
                    return;
                }
                acceptedOn.complete(c.getIoThread());
                c.getSourceChannel().setReadListener(source -> {
                    try {
                        if (source.read(ByteBuffer.allocate(16)) > 0) {
                            readAt.complete(System.nanoTime());
                        }
                    } catch (IOException e) {
                        readAt.completeExceptionally(e);
                    }
                });
                c.getSourceChannel().resumeReads();
            } catch (IOException e) {
                acceptedOn.completeExceptionally(e);
            }
        };
        AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), accept, OptionMap.EMPTY);
        server.resumeAccepts();
        AtomicBoolean feeding = new AtomicBoolean(true);
        try (Socket client = new Socket()) {
            client.connect(server.getLocalAddress(InetSocketAddress.class), 5_000);
            XnioIoThread thread = acceptedOn.get(10, TimeUnit.SECONDS);
            PumpQueue pumps = new PumpQueue.PerThread().of(thread);
            AtomicLong pumped = new AtomicLong();
            Thread feeder = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BURST_MS);
                while (System.nanoTime() < end) {
                    pumps.schedule(() -> {
                        spin(200_000);
                        pumped.incrementAndGet();
                    });
                    spin(100_000);
                }
                feeding.set(false);
            }, "feeder");
            feeder.start();
            // Let the pumps take the thread over, then send.
            while (pumped.get() < 10) {
                Thread.onSpinWait();
            }
            long sent = System.nanoTime();
            OutputStream out = client.getOutputStream();
            out.write(1);
            out.flush();
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(readAt.get(30, TimeUnit.SECONDS) - sent);
            boolean stillFeeding = feeding.get();
            feeder.join();
            assertTrue(stillFeeding && waitedMs < BURST_MS / 3, "the byte was read " + waitedMs
                    + " ms after it was sent, " + (stillFeeding ? "while" : "after") + " the feeder kept the thread's"
                    + " pump queue busy");
        } finally {
            feeding.set(false);
            server.close();
            worker.shutdownNow();
        }
    }

    /**
     * A reply's pump (a publisher's {@code ack} on a socket that was idle) runs ahead of the fan-out pumps already
     * waiting: 100 pumps of 0.5 ms each are queued, then a reply, which must run second at the latest (after the pump
     * running when it came). Before, it joined the end of the queue and waited for the whole pass, 50 ms here and tens
     * of milliseconds behind 5,000 subscriber sockets per thread in the wire bench.
     */
    @Test
    void aReplyIsPumpedAheadOfTheFanOutWaiting() throws Exception {
        XnioWorker worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        try {
            XnioIoThread thread = worker.getIoThread(0);
            PumpQueue pumps = new PumpQueue.PerThread().of(thread);
            AtomicLong ran = new AtomicLong();
            CompletableFuture<Long> replyRanAs = new CompletableFuture<>();
            CompletableFuture<Void> firstStarted = new CompletableFuture<>();
            for (int i = 0; i < 100; i++) {
                pumps.schedule(() -> {
                    firstStarted.complete(null);
                    spin(500_000);
                    ran.incrementAndGet();
                });
            }
            firstStarted.get(10, TimeUnit.SECONDS);
            pumps.scheduleReply(() -> replyRanAs.complete(ran.incrementAndGet()));
            long position = replyRanAs.get(30, TimeUnit.SECONDS);
            assertTrue(position <= 2, "the reply's pump ran as number " + position + " of 101");
        } finally {
            worker.shutdownNow();
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
