package io.meshgate.chaos.faults;

import java.util.List;

/**
 * The toxic types the fault proxy implements, with Toxiproxy's type names and attribute names. Every attribute is
 * an integer and defaults to 0, as in Toxiproxy; answers always carry all of them, because toxiproxy-java reads each
 * one back and fails on a missing one.
 */
enum ToxicKind {
    /** Delays each piece of data by {@code latency} ms, plus or minus up to {@code jitter} ms; order is kept. */
    LATENCY("latency", List.of("latency", "jitter")),
    /** Passes at most {@code rate} KB/s (1 KB = 1000 bytes); 0 means unlimited. */
    BANDWIDTH("bandwidth", List.of("rate")),
    /** Drops all data; with {@code timeout} > 0 also closes the connection that many ms after the toxic applies. */
    TIMEOUT("timeout", List.of("timeout")),
    /** On the first data, waits {@code timeout} ms and resets the connection (TCP RST, SO_LINGER 0). */
    RESET_PEER("reset_peer", List.of("timeout")),
    /** Closes the connection once {@code bytes} bytes have passed while the toxic is present. */
    LIMIT_DATA("limit_data", List.of("bytes"));

    private final String wireName;
    private final List<String> attributes;

    ToxicKind(String wireName, List<String> attributes) {
        this.wireName = wireName;
        this.attributes = attributes;
    }

    String wireName() {
        return wireName;
    }

    List<String> attributes() {
        return attributes;
    }

    static ToxicKind fromWire(String name) {
        for (ToxicKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return kind;
            }
        }
        // Toxiproxy has more types (slicer, slow_close, ...); this proxy refuses them rather than pretend.
        throw new ApiError(400, "invalid toxic type" + (name == null ? "" : ": " + name + " (not implemented by the in-JVM fault proxy)"));
    }
}
