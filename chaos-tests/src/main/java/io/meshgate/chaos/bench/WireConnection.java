package io.meshgate.chaos.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One lean WebSocket client connection of the wire benchmark: a non-blocking socket driven by one selector thread,
 * parsing just enough of what arrives to check order and read latencies ({@link WireProtocol} says what is sent and
 * recognised). Whole frames are parsed in place in the selector thread's read buffer; only the tail of a partial
 * frame (or of a NATS line) is copied into an array of the connection's own, so idle connections cost a socket and a
 * few objects.
 *
 * <p>Threads: everything runs on the selector thread that owns the connection, except {@link #send}, which any
 * thread may call (writes are serialised on the connection).
 */
final class WireConnection {
    /** What the owner hears; called on the selector thread. */
    interface Events {
        void ready(WireConnection c);

        /** A message: its per-channel count {@code n} and due time {@code t}; {@code inOrder} is {@code n == last + 1}. */
        void delivered(WireConnection c, long n, long t, boolean inOrder);

        void acked(long id);

        void nacked(long id, String frame);

        /** The connection failed or was closed; {@code why} says how (a close code, an error frame). */
        void failed(WireConnection c, String why);
    }

    enum State { CONNECTING, UPGRADING, OPEN, READY, CLOSED }

    private static final byte[] N = WireProtocol.ascii("\"n\":");
    private static final byte[] T = WireProtocol.ascii("\"t\":");
    private static final byte[] ID = WireProtocol.ascii("\"id\":\"p");
    private static final byte[] OP = WireProtocol.ascii("\"op\":\"");
    private static final byte[] HEAD_END = WireProtocol.ascii("\r\n\r\n");
    private static final byte[] EMPTY = new byte[0];

    private final WireProtocol protocol;
    private final String channel;
    private final String source;
    private final int port;
    private final Events events;
    private final SocketChannel socket;
    private SelectionKey key;
    private State state = State.CONNECTING;
    private byte[] pending = EMPTY;
    private byte[] natsStream = EMPTY;
    /** PONGs taken after the connection was ready: on a publisher, the answers to its PINGs so far. */
    private long pongs;
    private long lastN = -1;
    private long received;
    private boolean everReady;
    private int attempt = 1;

    WireConnection(WireProtocol protocol, String channel, String source, int port, Events events) throws IOException {
        this.protocol = protocol;
        this.channel = channel;
        this.source = source;
        this.port = port;
        this.events = events;
        this.socket = SocketChannel.open();
        socket.bind(new InetSocketAddress(source, 0));
        socket.configureBlocking(false);
    }

    String channel() {
        return channel;
    }

    State state() {
        return state;
    }

    String source() {
        return source;
    }

    /** Which attempt at this subscriber this connection is (1 for the first); set before {@link #start}. */
    int attempt() {
        return attempt;
    }

    void attempt(int n) {
        attempt = n;
    }

    /** Messages delivered to this connection so far. */
    long received() {
        return received;
    }

    /** Whether it ever got ready (so a failure now is a loss of an established connection). */
    boolean wasReady() {
        return everReady;
    }

    /** Starts connecting; the selector then drives the handshake. */
    void start(Selector selector) throws IOException {
        key = socket.register(selector, SelectionKey.OP_CONNECT, this);
        if (socket.connect(new InetSocketAddress("127.0.0.1", port))) {
            connected();
        }
    }

    /** Handles a ready key; {@code scratch} is the selector thread's read buffer. */
    void handle(SelectionKey key, ByteBuffer scratch) {
        try {
            if (key.isConnectable()) {
                if (socket.finishConnect()) {
                    connected();
                }
                return;
            }
            if (key.isReadable()) {
                read(scratch);
            }
        } catch (IOException | RuntimeException e) {
            fail("io: " + e.getMessage());
        }
    }

    void close() {
        state = State.CLOSED;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Sends one masked client frame; blocks (spinning) until the socket took all of it. */
    void send(byte[] payload) throws IOException {
        ByteBuffer frame = frame(payload, protocol.binary() ? 0x2 : 0x1);
        synchronized (this) {
            while (frame.hasRemaining()) {
                if (socket.write(frame) == 0) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    private void connected() throws IOException {
        key.interestOps(SelectionKey.OP_READ);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + protocol.path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n";
        state = State.UPGRADING;
        ByteBuffer out = ByteBuffer.wrap(WireProtocol.ascii(request));
        synchronized (this) {
            while (out.hasRemaining()) {
                socket.write(out);
            }
        }
    }

    private void read(ByteBuffer scratch) throws IOException {
        scratch.clear();
        if (pending.length > scratch.capacity()) {
            throw new IOException("frame larger than the read buffer: " + pending.length);
        }
        scratch.put(pending);
        int n = socket.read(scratch);
        if (n < 0) {
            fail("closed by the server (end of stream)");
            return;
        }
        scratch.flip();
        byte[] b = scratch.array();
        int pos = 0;
        int limit = scratch.limit();
        if (state == State.UPGRADING) {
            int end = WireProtocol.indexAfter(b, 0, limit, HEAD_END);
            if (end < 0) {
                pending = Arrays.copyOf(b, limit);
                return;
            }
            String head = new String(b, 0, end, StandardCharsets.US_ASCII);
            if (!head.startsWith("HTTP/1.1 101")) {
                fail("upgrade refused: " + head.lines().findFirst().orElse(""));
                return;
            }
            state = State.OPEN;
            for (byte[] frame : protocol.opening(channel)) {
                send(frame);
            }
            pos = end;
        }
        pos = frames(b, pos, limit);
        pending = pos == limit ? EMPTY : Arrays.copyOfRange(b, pos, limit);
    }

    /** Parses whole frames of {@code b[pos, limit)}; returns where the first incomplete one starts. */
    private int frames(byte[] b, int pos, int limit) throws IOException {
        while (state != State.CLOSED && limit - pos >= 2) {
            int opcode = b[pos] & 0x0F;
            int len = b[pos + 1] & 0x7F;
            int header = 2;
            if (len == 126) {
                if (limit - pos < 4) {
                    break;
                }
                len = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
                header = 4;
            } else if (len == 127) {
                if (limit - pos < 10) {
                    break;
                }
                long big = ByteBuffer.wrap(b, pos + 2, 8).getLong();
                if (big > Integer.MAX_VALUE) {
                    throw new IOException("frame of " + big + " bytes");
                }
                len = (int) big;
                header = 10;
            }
            if (limit - pos < header + len) {
                break;
            }
            int from = pos + header;
            int to = from + len;
            switch (opcode) {
                case 0x0, 0x1, 0x2 -> payload(b, from, to);
                case 0x8 -> fail("close frame " + (len >= 2 ? ((b[from] & 0xFF) << 8 | (b[from + 1] & 0xFF)) : 0)
                        + " " + new String(b, Math.min(from + 2, to), Math.max(0, len - 2), StandardCharsets.UTF_8));
                case 0x9 -> sendControl(0xA, Arrays.copyOfRange(b, from, to));
                default -> { } // pong: nothing to do
            }
            pos = to;
        }
        return pos;
    }

    private void payload(byte[] b, int from, int to) throws IOException {
        switch (protocol) {
            case MESHGATE -> meshgate(b, from, to);
            case NATS -> nats(b, from, to);
        }
    }

    private void meshgate(byte[] b, int from, int to) throws IOException {
        int op = WireProtocol.indexAfter(b, from, Math.min(to, from + 16), OP);
        if (op < 0) {
            return;
        }
        switch (b[op]) {
            case 'm' -> message(b, from, to); // msg
            case 'a' -> events.acked(WireProtocol.number(b, WireProtocol.indexAfter(b, op, to, ID), to));
            case 'n' -> events.nacked(WireProtocol.number(b, WireProtocol.indexAfter(b, op, to, ID), to),
                    new String(b, from, to - from, StandardCharsets.UTF_8));
            case 's' -> { // subscribed
                if (channel != null) {
                    ready();
                }
            }
            case 'c' -> { // connected
                if (channel == null) {
                    ready();
                }
            }
            case 'p' -> {
                if (b[op + 1] == 'i') { // ping
                    send(WireProtocol.ascii("{\"op\":\"pong\"}"));
                }
            }
            case 'g', 'e' -> fail(new String(b, from, to - from, StandardCharsets.UTF_8)); // gap, error
            default -> { } // move, pong, ...: not expected in a benchmark run
        }
    }

    /** NATS protocol lines may span WebSocket frames: they are parsed from a stream of the frames' payloads. */
    private void nats(byte[] b, int from, int to) throws IOException {
        byte[] s;
        int pos;
        int limit;
        if (natsStream.length == 0) {
            s = b;
            pos = from;
            limit = to;
        } else {
            s = Arrays.copyOf(natsStream, natsStream.length + to - from);
            System.arraycopy(b, from, s, natsStream.length, to - from);
            pos = 0;
            limit = s.length;
        }
        while (pos < limit) {
            int eol = -1;
            for (int i = pos; i < limit - 1; i++) {
                if (s[i] == '\r' && s[i + 1] == '\n') {
                    eol = i;
                    break;
                }
            }
            if (eol < 0) {
                break;
            }
            if (s[pos] == 'M') { // MSG <subject> <sid> <size>
                int sp = eol;
                while (s[sp - 1] != ' ') {
                    sp--;
                }
                int size = (int) WireProtocol.number(s, sp, eol);
                if (limit - (eol + 2) < size + 2) {
                    break;
                }
                message(s, eol + 2, eol + 2 + size);
                pos = eol + 2 + size + 2;
                continue;
            }
            if (s[pos] == 'P' && s[pos + 1] == 'I') {
                send(WireProtocol.ascii("PONG\r\n"));
            } else if (s[pos] == 'P' && s[pos + 1] == 'O') {
                if (state == State.OPEN) {
                    ready();
                } else {
                    // A publisher's PING after each PUB: PONGs come in order, so the n-th one answers publish n.
                    events.acked(pongs++);
                }
            } else if (s[pos] == '-') {
                fail(new String(s, pos, eol - pos, StandardCharsets.US_ASCII));
                return;
            }
            pos = eol + 2;
        }
        natsStream = pos == limit ? EMPTY : Arrays.copyOfRange(s, pos, limit);
    }

    private void message(byte[] b, int from, int to) {
        long n = WireProtocol.number(b, WireProtocol.indexAfter(b, from, to, N), to);
        long t = WireProtocol.number(b, WireProtocol.indexAfter(b, from, to, T), to);
        boolean inOrder = n == lastN + 1;
        lastN = n;
        received++;
        events.delivered(this, n, t, inOrder);
    }

    private void ready() {
        if (state != State.CLOSED) {
            state = State.READY;
            everReady = true;
            events.ready(this);
        }
    }

    private void fail(String why) {
        if (state != State.CLOSED) {
            close();
            events.failed(this, why);
        }
    }

    private void sendControl(int opcode, byte[] payload) throws IOException {
        ByteBuffer frame = frame(payload, opcode);
        synchronized (this) {
            while (frame.hasRemaining()) {
                socket.write(frame);
            }
        }
    }

    /** A masked client frame (mask key zero: the bytes are the payload's). */
    private static ByteBuffer frame(byte[] payload, int opcode) {
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 14);
        frame.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            frame.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65536) {
            frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        frame.putInt(0).put(payload).flip();
        return frame;
    }
}
