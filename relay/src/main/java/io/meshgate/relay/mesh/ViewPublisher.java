package io.meshgate.relay.mesh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes the leader's links and liveness view ({@link MeshView}, a Hazelcast write) off the conductor. Requests
 * coalesce: at most one publication is queued on the housekeeping thread at a time, and it reads the state current
 * when it runs, so the last one published is always the newest, whatever order requests came in.
 *
 * <p>Threads: {@link #request} is called on the conductor; the publication runs on the housekeeping thread
 * (blocking Hazelcast writes).
 */
final class ViewPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ViewPublisher.class);

    private final MeshView view;
    private final Links links;
    private final Liveness liveness;
    private final Executor housekeeping;
    private final java.util.function.Supplier<HomeOverrides> overrides;
    private final AtomicBoolean queued = new AtomicBoolean();

    ViewPublisher(MeshView view, Links links, Liveness liveness, java.util.function.Supplier<HomeOverrides> overrides,
                  Executor housekeeping) {
        this.view = view;
        this.overrides = overrides;
        this.links = links;
        this.liveness = liveness;
        this.housekeeping = housekeeping;
    }

    void request() {
        if (queued.compareAndSet(false, true)) {
            try {
                housekeeping.execute(this::publish);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                queued.set(false);
            }
        }
    }

    private void publish() {
        // Cleared first: a change after this point queues one more publication, which reads it.
        queued.set(false);
        try {
            view.publish(links, liveness.live(), overrides.get());
        } catch (RuntimeException e) {
            LOG.warn("mesh view could not be published: {}", e.toString());
        }
    }
}
