package io.meshgate.chaos.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The toxics of one proxy, in the order they were added. Changed by API requests; read by every connection's writer
 * threads through {@link #snapshot()} (an immutable view, no lock), and those writers wait in {@link #awaitChange}
 * so that removing a toxic releases data it was holding at once, not when its delay would have ended.
 */
final class ToxicTable {
    /** What a writer reads: the toxics of each stream at one version. */
    record Snapshot(long version, List<Toxic> upstream, List<Toxic> downstream) {
        List<Toxic> on(Stream stream) {
            return stream == Stream.UPSTREAM ? upstream : downstream;
        }
    }

    private final Map<String, Toxic> byName = new LinkedHashMap<>(); // guarded by this
    private volatile Snapshot snapshot = new Snapshot(0, List.of(), List.of());

    Snapshot snapshot() {
        return snapshot;
    }

    synchronized List<Toxic> all() {
        return List.copyOf(byName.values());
    }

    synchronized Toxic get(String name) {
        Toxic toxic = byName.get(name);
        if (toxic == null) {
            throw ApiError.toxicNotFound();
        }
        return toxic;
    }

    synchronized void add(Toxic toxic) {
        if (byName.containsKey(toxic.name())) {
            throw new ApiError(409, "toxic already exists");
        }
        byName.put(toxic.name(), toxic);
        changed();
    }

    synchronized void replace(Toxic toxic) {
        get(toxic.name());
        byName.put(toxic.name(), toxic);
        changed();
    }

    synchronized void remove(String name) {
        get(name);
        byName.remove(name);
        changed();
    }

    synchronized void clear() {
        byName.clear();
        changed();
    }

    /** True while this very instance is configured (not an updated copy of it). */
    synchronized boolean isCurrent(Toxic toxic) {
        return byName.get(toxic.name()) == toxic;
    }

    /** Waits until the toxics change after {@code seenVersion}, or {@code maxNanos} pass; interrupted when the link closes. */
    synchronized void awaitChange(long seenVersion, long maxNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxNanos;
        long left = maxNanos;
        while (snapshot.version() == seenVersion && left > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
            left = deadline - System.nanoTime();
        }
    }

    private void changed() {
        List<Toxic> up = new ArrayList<>();
        List<Toxic> down = new ArrayList<>();
        for (Toxic toxic : byName.values()) {
            (toxic.stream() == Stream.UPSTREAM ? up : down).add(toxic);
        }
        snapshot = new Snapshot(snapshot.version() + 1, List.copyOf(up), List.copyOf(down));
        notifyAll();
    }
}
