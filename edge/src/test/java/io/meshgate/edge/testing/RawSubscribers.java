package io.meshgate.edge.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Many WebSocket subscribers of one channel on one selector thread, for fan-out tests where a thousand JDK
 * WebSocket clients would cost more than the server under test. Each subscriber connects, subscribes live, and
 * checks that the {@code msg} seqs it reads follow its {@code subscribed} head one by one; it remembers the first
 * violation. Frames are parsed just enough for that (server frames are unmasked and unfragmented text).
 *
 * <p>Threads: {@link #open} and the checks run on the caller's thread; reading runs on one daemon thread until
 * {@link #close}.
 */
public final class RawSubscribers implements AutoCloseable {
    private static final class Sub {
        final SocketChannel socket;
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        volatile long head = -1;
        volatile long last = -1;
        volatile String violation;

        Sub(SocketChannel socket) {
            this.socket = socket;
        }
    }

    private final List<Sub> subs = new ArrayList<>();
    private final Selector selector;
    private final Thread reader;
    private volatile boolean closed;

    private RawSubscribers(Selector selector) {
        this.selector = selector;
        this.reader = new Thread(this::readLoop, "raw-subscribers");
        this.reader.setDaemon(true);
    }

    /** Opens {@code count} subscribers of {@code channel}; returns once every one has its {@code subscribed}. */
    public static RawSubscribers open(String wsUrl, String token, String channel, int count, Duration timeout)
            throws IOException, InterruptedException {
        URI uri = URI.create(wsUrl);
        RawSubscribers all = new RawSubscribers(Selector.open());
        for (int i = 0; i < count; i++) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
            handshake(socket, uri);
            socket.write(textFrame("{\"op\":\"connect\",\"token\":\"" + token + "\"}"));
            socket.write(textFrame("{\"op\":\"sub\",\"ch\":\"" + channel + "\"}"));
            socket.configureBlocking(false);
            Sub sub = new Sub(socket);
            all.subs.add(sub);
            socket.register(all.selector, SelectionKey.OP_READ, sub);
        }
        all.reader.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (all.subs.stream().anyMatch(s -> s.head < 0)) {
            if (System.nanoTime() > deadline) {
                all.close();
                throw new AssertionError("not every subscriber got subscribed within " + timeout);
            }
            Thread.sleep(20);
        }
        return all;
    }

    /** How many subscribers have read every seq up to {@code seq}, in order. */
    public long countAtLeast(long seq) {
        return subs.stream().filter(s -> s.last >= seq).count();
    }

    /** The first order violation any subscriber saw, or null. */
    public String firstViolation() {
        for (Sub s : subs) {
            if (s.violation != null) {
                return s.violation;
            }
        }
        return null;
    }

    /** The head each subscriber was given in {@code subscribed} (seqs are checked from there). */
    public long minHead() {
        return subs.stream().mapToLong(s -> s.head).min().orElse(-1);
    }

    private static void handshake(SocketChannel socket, URI uri) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n";
        socket.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        // Read byte by byte up to the end of the headers, so no frame byte is consumed here.
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder response = new StringBuilder();
        while (!response.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (socket.read(one) < 0) {
                throw new IOException("closed during handshake: " + response);
            }
            response.append((char) one.get(0));
        }
        if (!response.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + response);
        }
    }

    /** A masked (zero key) client text frame. */
    private static ByteBuffer textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 8);
        frame.put((byte) 0x81);
        if (payload.length < 126) {
            frame.put((byte) (0x80 | payload.length));
        } else {
            frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
        }
        frame.putInt(0).put(payload).flip();
        return frame;
    }

    private void readLoop() {
        try {
            while (!closed) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Sub sub = (Sub) key.attachment();
                    if (sub.socket.read(sub.in) < 0) {
                        key.cancel();
                        continue;
                    }
                    parse(sub);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (!closed) {
                subs.get(0).violation = "reader failed: " + e;
            }
        }
    }

    private static void parse(Sub sub) {
        ByteBuffer in = sub.in;
        in.flip();
        while (in.remaining() >= 2) {
            int start = in.position();
            int opcode = in.get(start) & 0x0F;
            int len = in.get(start + 1) & 0x7F;
            int header = 2;
            if (len == 126) {
                if (in.remaining() < 4) {
                    break;
                }
                len = in.getShort(start + 2) & 0xFFFF;
                header = 4;
            } else if (len == 127) {
                if (in.remaining() < 10) {
                    break;
                }
                len = (int) in.getLong(start + 2);
                header = 10;
            }
            if (in.remaining() < header + len) {
                if (header + len > in.capacity()) {
                    ByteBuffer bigger = ByteBuffer.allocate(header + len);
                    bigger.put(in);
                    sub.in = bigger;
                    return;
                }
                break;
            }
            if (opcode == 1) {
                onText(sub, new String(in.array(), start + header, len, StandardCharsets.UTF_8));
            }
            in.position(start + header + len);
        }
        in.compact();
    }

    private static void onText(Sub sub, String text) {
        if (text.startsWith("{\"op\":\"subscribed\"")) {
            long head = seqOf(text);
            sub.last = head;
            sub.head = head;
        } else if (text.startsWith("{\"op\":\"msg\"")) {
            long seq = seqOf(text);
            if (sub.violation == null && seq != sub.last + 1) {
                sub.violation = "seq " + seq + " after " + sub.last;
            }
            sub.last = seq;
        }
    }

    private static long seqOf(String frame) {
        int at = frame.indexOf("\"seq\":") + 6;
        int end = at;
        while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
            end++;
        }
        return Long.parseLong(frame.substring(at, end));
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Sub s : subs) {
            try {
                s.socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
