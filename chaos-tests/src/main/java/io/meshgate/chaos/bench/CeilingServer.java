package io.meshgate.chaos.bench;

import io.meshgate.edge.protocol.WsFrame;
import io.meshgate.edge.websocket.WsHandshake;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.util.StatusCodes;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * The wire benchmark's ceiling (issue 10): a bare Undertow WebSocket server, in its own process, that speaks just
 * enough of client protocol v1 for the wire clients ({@code connect}, {@code sub}, {@code pub} → {@code ack}) and
 * does nothing else: no sequencing, history, cluster or JSON parsing beyond finding three fields. A {@code pub} is
 * turned into one pre-encoded, unmasked frame that every subscriber's socket writes a view of
 * ({@link CeilingSocket}). The gateway runs on the same stack (Undertow, XNIO, the same I/O thread count), so the
 * ratio of its saturation to this one says how close it gets to what its stack allows on this machine.
 *
 * <p>Usage: {@code CeilingServer <port>}; binds 127.0.0.1 only, and exits when its stdin ends (the bench closes it)
 * or on SIGTERM. Threads: Undertow's I/O threads (as many as cores, at least 2, like the gateway's edge); a
 * {@code pub} fans out on the I/O thread that read it, each socket writing on its own.
 */
public final class CeilingServer {
    /** Subscribers per channel; a socket is added on {@code sub} and never removed (a bench run is short). */
    private final Map<String, List<CeilingSocket>> channels = new ConcurrentHashMap<>();

    private CeilingServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        CeilingServer ceiling = new CeilingServer();
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(ioThreads)
                .setWorkerThreads(ioThreads)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
                .setHandler(new WebSocketProtocolHandshakeHandler(List.of(new WsHandshake()),
                        (WebSocketConnectionCallback) (exchange, channel) -> ceiling.onConnect(channel),
                        exchange -> exchange.setStatusCode(StatusCodes.NOT_FOUND)))
                .build();
        server.start();
        CountDownLatch stop = new CountDownLatch(1);
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // only its end matters
                }
            } catch (java.io.IOException ignored) {
                // the parent is gone
            }
            stop.countDown();
        }, "ceiling-stdin");
        stdin.setDaemon(true);
        stdin.start();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
        server.stop();
        System.exit(0);
    }

    private void onConnect(WebSocketChannel channel) {
        CeilingSocket socket = new CeilingSocket(WsHandshake.socketOf(channel));
        channel.getReceiveSetter().set(new AbstractReceiveListener() {
            @Override
            protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                onFrame(socket, message.getData());
            }
        });
        channel.resumeReceives();
    }

    /** On the I/O thread that read the frame. */
    private void onFrame(CeilingSocket socket, String text) {
        String op = field(text, "op");
        if (op == null) {
            return;
        }
        switch (op) {
            case "connect" -> socket.send(WsFrame.text("{\"op\":\"connected\"}"));
            case "sub" -> {
                String ch = field(text, "ch");
                channels.computeIfAbsent(ch, c -> new CopyOnWriteArrayList<>()).add(socket);
                socket.send(WsFrame.text("{\"op\":\"subscribed\",\"ch\":\"" + ch + "\"}"));
            }
            case "pub" -> {
                String ch = field(text, "ch");
                String id = field(text, "id");
                int data = text.indexOf("\"data\":");
                // Encoded once, written to every subscriber: the point of the ceiling.
                ByteBuffer frame = WsFrame.text("{\"op\":\"msg\",\"ch\":\"" + ch + "\",\"data\":"
                        + text.substring(data + 7, text.lastIndexOf('}')) + "}");
                for (CeilingSocket subscriber : channels.getOrDefault(ch, List.of())) {
                    subscriber.send(frame);
                }
                socket.send(WsFrame.text("{\"op\":\"ack\",\"id\":\"" + id + "\",\"ch\":\"" + ch + "\"}"));
            }
            default -> {
                // pong and anything else: nothing to do
            }
        }
    }

    /** The string value of a top-level {@code "name":"value"} (the wire clients never escape), or null. */
    private static String field(String json, String name) {
        String key = "\"" + name + "\":\"";
        int from = json.indexOf(key);
        if (from < 0) {
            return null;
        }
        int start = from + key.length();
        int end = json.indexOf('"', start);
        return end < 0 ? null : json.substring(start, end);
    }
}
