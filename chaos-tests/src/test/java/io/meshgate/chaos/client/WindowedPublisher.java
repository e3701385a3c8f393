package io.meshgate.chaos.client;

import io.meshgate.client.MeshgateClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Publishes {@code count} messages through the client with at most {@code window} unacknowledged, and records each
 * ack's seq by id. Retrying after a disconnect, with the same id, is the client's job (its outbox); a publish the
 * client gives up on is recorded as a failure.
 */
public final class WindowedPublisher implements AutoCloseable {
    private final MeshgateClient client;
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final List<Throwable> failures = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    public WindowedPublisher(MeshgateClient client, String channel, int count, int window) {
        this.client = client;
        client.connect();
        Semaphore unacked = new Semaphore(window);
        this.thread = new Thread(() -> {
            for (int n = 0; n < count && !stopped; n++) {
                try {
                    unacked.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                client.publish(channel, Map.of("n", n)).whenComplete((ack, error) -> {
                    if (ack != null) {
                        acked.put(ack.id(), ack.seq());
                    } else {
                        synchronized (failures) {
                            failures.add(error);
                        }
                    }
                    unacked.release();
                });
            }
        }, "publisher-" + client.clientId());
        thread.setDaemon(true);
        thread.start();
    }

    public int ackedCount() {
        return acked.size();
    }

    public Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    public List<Throwable> failures() {
        synchronized (failures) {
            return new ArrayList<>(failures);
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        client.close();
    }
}
