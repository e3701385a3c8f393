package io.meshgate.chaos.bench;

import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One socket of the bare ceiling server ({@link CeilingServer}): finished frames wait in a queue bounded by
 * {@link #MAX_FRAMES}, and the socket's I/O thread writes everything queued with one gathering write per turn. This
 * is the least an Undertow/XNIO server can do to put a shared, pre-encoded frame on many sockets, which is what makes
 * it a ceiling for the gateway built on the same stack. A socket whose queue overflows (its client stopped reading)
 * is closed, and the wire clients count it as a lost connection, so a step with one fails.
 *
 * <p>Threads: {@link #send} from any thread (the publisher's I/O thread); writes on the socket's own I/O thread.
 */
final class CeilingSocket {
    /** Frames queued per socket before it is closed as a slow reader: more than a 5 s step of any rate tried. */
    static final int MAX_FRAMES = 65_536;
    /** Frames per gathering write, below Linux's IOV_MAX. */
    private static final int MAX_BATCH = 512;
    /** Gathering writes one pump makes before the I/O thread serves its other sockets. */
    private static final int WRITES_PER_TURN = 4;

    private final StreamConnection socket;
    private final ConduitStreamSinkChannel sink;
    private final XnioIoThread ioThread;
    /** Guarded by itself. */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** Guarded by {@code queue}: a pump is queued on the I/O thread or waits for the socket to take more. */
    private boolean pumpScheduled;
    private boolean closed;
    /** I/O thread only: the batch in flight. */
    private ByteBuffer[] batch;
    private int batchStart;

    CeilingSocket(StreamConnection socket) {
        this.socket = socket;
        this.sink = socket.getSinkChannel();
        this.ioThread = socket.getIoThread();
        sink.getWriteSetter().set(ch -> {
            ch.suspendWrites();
            pump();
        });
    }

    /** Queues a view of {@code frame}; closes the socket when its queue is full. */
    void send(ByteBuffer frame) {
        synchronized (queue) {
            if (closed) {
                return;
            }
            if (queue.size() >= MAX_FRAMES) {
                closed = true;
                queue.clear();
                ioThread.execute(() -> IoUtils.safeClose(socket));
                return;
            }
            queue.addLast(frame.duplicate());
            if (!pumpScheduled) {
                pumpScheduled = true;
                ioThread.execute(this::pump);
            }
        }
    }

    private void pump() {
        try {
            for (int write = 0; write < WRITES_PER_TURN; write++) {
                if (batch == null && !takeBatch()) {
                    return;
                }
                sink.write(batch, batchStart, batch.length - batchStart);
                while (batchStart < batch.length && !batch[batchStart].hasRemaining()) {
                    batch[batchStart++] = null;
                }
                if (batchStart < batch.length || !sink.flush()) {
                    sink.resumeWrites();
                    return;
                }
                batch = null;
            }
            ioThread.execute(this::pump);
        } catch (IOException e) {
            synchronized (queue) {
                closed = true;
                queue.clear();
            }
            IoUtils.safeClose(socket);
        }
    }

    private boolean takeBatch() {
        synchronized (queue) {
            int n = Math.min(queue.size(), MAX_BATCH);
            if (n == 0 || closed) {
                pumpScheduled = false;
                return false;
            }
            batch = new ByteBuffer[n];
            for (int i = 0; i < n; i++) {
                batch[i] = queue.pollFirst();
            }
            batchStart = 0;
            return true;
        }
    }
}
