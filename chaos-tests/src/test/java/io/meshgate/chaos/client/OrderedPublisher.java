package io.meshgate.chaos.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.chaos.HistoryChecker.Sent;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A publisher that speaks protocol v1 over a bare JDK WebSocket, so the test knows exactly which connection sent
 * which publish and how often: the record G6 is checked on. It publishes {@code count} messages with ids
 * {@code <prefix>-NNNNNN}, at most {@code window} unacknowledged and one per {@code intervalMs}; on a new connection
 * it first sends again every unacked one, in issue order, and a {@code nack} is sent again 200 ms later (the
 * retry-with-the-same-id rule of the protocol). It reconnects round-robin over {@code urls}.
 *
 * <p>Threads: one driver thread owns every field but {@link #acked} and {@link #done}; the WebSocket listener only
 * queues what it reads for it. {@link #acked()}, {@link #g6Record()} and {@link #close()} may be called from any
 * thread ({@code g6Record} once the publisher is done or closed).
 */
public final class OrderedPublisher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RESEND_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final HttpClient http;
    private final List<String> urls;
    private final String token;
    private final String channel;
    private final String prefix;
    private volatile int count;
    private final int window;
    private final long intervalNanos;
    private final BiConsumer<String, Long> onAck;
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Thread driver;
    private volatile boolean stopped;
    private volatile boolean done;

    // Owned by the driver thread.
    private final Map<String, Integer> sends = new HashMap<>();
    private final Map<String, Long> resendAt = new LinkedHashMap<>();
    private final List<List<String>> sentPerConnection = new ArrayList<>();
    private final List<String> issuedIds = new ArrayList<>();
    private Conn conn;
    private int urlIndex;

    /** What the listener hands the driver. */
    private record Frame(Conn conn, JsonNode frame) {
    }

    private record Closed(Conn conn) {
    }

    public OrderedPublisher(HttpClient http, List<String> urls, String token, String channel, String prefix, int count,
                            int window, long intervalMs, BiConsumer<String, Long> onAck) {
        this.http = http;
        this.urls = List.copyOf(urls);
        this.token = token;
        this.channel = channel;
        this.prefix = prefix;
        this.count = count;
        this.window = window;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.onAck = onAck;
        this.driver = new Thread(this::drive, "ordered-publisher-" + prefix);
        driver.setDaemon(true);
        driver.start();
    }

    public int ackedCount() {
        return acked.size();
    }

    public Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    /** Every publish acked. */
    public boolean done() {
        return done;
    }

    /** Per connection, its publishes that were sent exactly once in all and acked, in send order. */
    public synchronized List<List<Sent>> g6Record() {
        List<List<Sent>> record = new ArrayList<>();
        for (List<String> ids : sentPerConnection) {
            List<Sent> once = new ArrayList<>();
            for (String id : ids) {
                Long seq = acked.get(id);
                if (seq != null && sends.getOrDefault(id, 0) == 1) {
                    once.add(new Sent(id, seq));
                }
            }
            record.add(once);
        }
        return record;
    }

    /** Publishes issued so far (acked or not). */
    public synchronized int issued() {
        return issuedIds.size();
    }

    /** Issues nothing new; what was issued goes on being sent again until acked. */
    public synchronized void stopIssuing() {
        count = issuedIds.size();
    }

    /** Connections opened so far. */
    public synchronized int connections() {
        return sentPerConnection.size();
    }

    private void drive() {
        long nextIssue = System.nanoTime();
        while (!stopped && !done) {
            try {
                if (conn == null) {
                    connect();
                    continue;
                }
                long now = System.nanoTime();
                String id = now >= nextIssue ? issue() : null;
                if (id != null) {
                    send(id);
                    nextIssue = Math.max(nextIssue + intervalNanos, now - intervalNanos);
                }
                resendDue(now);
                Object event = inbox.poll(1, TimeUnit.MILLISECONDS);
                while (event != null) {
                    handle(event);
                    event = inbox.poll();
                }
                synchronized (this) {
                    done = issuedIds.size() == count && acked.size() >= count;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
        if (conn != null) {
            conn.abort();
        }
    }

    /** The next id, now counted as issued, or null when the count is reached or the window is full. */
    private synchronized String issue() {
        if (issuedIds.size() >= count || issuedIds.size() - acked.size() >= window) {
            return null;
        }
        String id = String.format("%s-%06d", prefix, issuedIds.size() + 1);
        issuedIds.add(id);
        return id;
    }

    private void connect() throws InterruptedException {
        String url = urls.get(urlIndex++ % urls.size());
        Conn c = new Conn();
        try {
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
                    .buildAsync(URI.create(url), c).get(5, TimeUnit.SECONDS);
            c.ws = ws;
            ObjectNode hello = JSON.createObjectNode().put("op", "connect").put("token", token);
            c.send(hello.toString());
            c.connected.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            c.abort();
            // Reconnect backoff of a client, not a wait in a test.
            TimeUnit.MILLISECONDS.sleep(250);
            return;
        }
        synchronized (this) {
            conn = c;
            c.index = sentPerConnection.size();
            sentPerConnection.add(new ArrayList<>());
        }
        resendAt.clear();
        for (String id : issuedIds) {
            if (!acked.containsKey(id)) {
                send(id);
            }
        }
    }

    private void resendDue(long now) {
        List<String> due = new ArrayList<>();
        resendAt.forEach((id, at) -> {
            if (at <= now) {
                due.add(id);
            }
        });
        for (String id : due) {
            resendAt.remove(id);
            if (!acked.containsKey(id)) {
                send(id);
            }
        }
    }

    private void send(String id) {
        ObjectNode pub = JSON.createObjectNode().put("op", "pub").put("ch", channel).put("id", id);
        pub.putObject("data").put("id", id);
        synchronized (this) {
            sends.merge(id, 1, Integer::sum);
            sentPerConnection.get(conn.index).add(id);
        }
        conn.send(pub.toString());
    }

    private void handle(Object event) {
        if (event instanceof Closed closed) {
            if (closed.conn() == conn) {
                conn = null;
            }
            return;
        }
        Frame f = (Frame) event;
        JsonNode frame = f.frame();
        switch (frame.path("op").asText()) {
            case "ack" -> {
                String id = frame.path("id").asText();
                long seq = frame.path("seq").asLong();
                if (acked.putIfAbsent(id, seq) == null) {
                    onAck.accept(id, seq);
                }
            }
            case "nack" -> {
                if (f.conn() == conn) {
                    resendAt.put(frame.path("id").asText(), System.nanoTime() + RESEND_AFTER_NANOS);
                }
            }
            case "move" -> {
                if (f.conn() == conn) {
                    conn.abort();
                    conn = null;
                }
            }
            default -> { }
        }
    }

    @Override
    public void close() {
        stopped = true;
        driver.interrupt();
        try {
            driver.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One WebSocket; its listener runs on the HttpClient's threads and only queues for the driver. */
    private final class Conn implements WebSocket.Listener {
        final CompletableFuture<JsonNode> connected = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
        volatile WebSocket ws;
        int index;

        synchronized void send(String text) {
            WebSocket socket = ws;
            if (socket != null) {
                sendTail = sendTail.handle((v, e) -> null).thenCompose(v -> socket.sendText(text, true));
            }
        }

        void abort() {
            WebSocket socket = ws;
            if (socket != null) {
                socket.abort();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(partial.toString());
                    switch (frame.path("op").asText()) {
                        case "connected" -> connected.complete(frame);
                        case "ping" -> send("{\"op\":\"pong\"}");
                        default -> inbox.add(new Frame(this, frame));
                    }
                } catch (java.io.IOException e) {
                    inbox.add(new Closed(this));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            connected.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            inbox.add(new Closed(this));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            connected.completeExceptionally(error);
            inbox.add(new Closed(this));
        }
    }
}
