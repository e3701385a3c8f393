package io.meshgate.chaos.bench;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** The region under load: its WebSocket URLs and a way to read its server heap. */
interface Target extends AutoCloseable {

    /** Every node's WebSocket URL; load is spread over them round-robin. */
    List<String> wsUrls();

    /** The nodes that hold the idle connections of scenario (c): those whose heap {@link #heap()} reads. */
    List<String> idleUrls();

    HeapProbe heap();

    /** What the report says about the target. */
    Map<String, Object> describe();

    @Override
    void close();

    /** {@code ws://host:port/v1/ws} to {@code http://host:port}. */
    static String httpBase(String wsUrl) {
        URI uri = URI.create(wsUrl);
        String scheme = "wss".equals(uri.getScheme()) ? "https" : "http";
        return scheme + "://" + uri.getHost() + ":" + uri.getPort();
    }

    /** Refuses anything but the loopback interface: the load generator never loads another machine. */
    static void requireLoopback(String url) {
        String host = URI.create(url).getHost();
        if (host == null || !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]")
                || host.equals("::1"))) {
            throw new IllegalArgumentException("--ws: only loopback URLs (127.0.0.1) are allowed, got " + url);
        }
    }
}
