package io.meshgate.relay.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** What composition roots share when they start and stop parts. Stateless; any thread. */
public final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private Lifecycle() {
    }

    /** Closes {@code closeable} (null is skipped); a failure is logged, so the rest of a shutdown still runs. */
    public static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("error while stopping {}: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }

    /** Daemon threads named {@code <prefix>-<n>}: a pool left behind never keeps the JVM alive. */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
