package io.meshgate.chaos.bench;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/** Opens many {@link BenchClient}s with a bounded number of handshakes in flight and an overall deadline. */
final class Connector {
    private Connector() {
    }

    /**
     * @param clients  index {@code i} holds connection {@code i}, or null when it failed or was never tried
     * @param failed   connections that were tried and failed (or not tried before the deadline)
     * @param errors   the first few failure messages
     */
    record Opened(BenchClient[] clients, int connected, int failed, List<String> errors, long millis) {
        /**
         * Sends {@code sub} for {@code channelOf(i)} on every open connection {@code i} and waits up to 60 s for
         * {@code answered} (counted down by the connections' frame handlers on {@code subscribed}; counted down here
         * for connections that failed). Returns how many got {@code subscribed}; a timeout goes into {@code errors}.
         */
        int subscribeAll(IntFunction<String> channelOf, CountDownLatch answered, List<String> runErrors) {
            for (int i = 0; i < clients.length; i++) {
                if (clients[i] != null) {
                    clients[i].send("{\"op\":\"sub\",\"ch\":\"" + channelOf.apply(i) + "\"}");
                } else {
                    answered.countDown(); // a connection that failed has nothing to wait for
                }
            }
            try {
                if (!answered.await(60, TimeUnit.SECONDS)) {
                    runErrors.add(answered.getCount() + " subscriptions unanswered after 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            return connected - (int) answered.getCount();
        }

        List<BenchClient> live() {
            List<BenchClient> out = new ArrayList<>();
            for (BenchClient c : clients) {
                if (c != null) {
                    out.add(c);
                }
            }
            return out;
        }

        void abortAll() {
            for (BenchClient c : clients) {
                if (c != null) {
                    c.abort();
                }
            }
        }
    }

    /**
     * One HttpClient for all connections (one selector thread, shared buffers), with a small fixed executor: the
     * listeners never block, and a cached pool would grow a thread per busy socket.
     */
    static HttpClient httpClient(String name) {
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Opens {@code n} connections, connection {@code i} to {@code urls[i % urls.size()]}. */
    static Opened open(HttpClient http, List<String> urls, int n, int concurrency,
                       IntFunction<BenchClient.FrameHandler> handlerFor, Duration overall) {
        long start = System.nanoTime();
        long deadline = start + overall.toNanos();
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicReferenceArray<BenchClient> clients = new AtomicReferenceArray<>(n);
        AtomicInteger failed = new AtomicInteger();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        Duration perConnection = Duration.ofSeconds(15);
        int started = 0;
        try {
            for (; started < n; started++) {
                if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                int index = started;
                BenchClient.connect(http, urls.get(index % urls.size()), handlerFor.apply(index), perConnection)
                        .whenComplete((client, error) -> {
                            if (error != null) {
                                failed.incrementAndGet();
                                if (errors.size() < 5) {
                                    errors.add(String.valueOf(error.getCause() != null ? error.getCause() : error));
                                }
                            } else {
                                clients.set(index, client);
                            }
                            inFlight.release();
                        });
            }
            // Wait for the handshakes still in flight (each ends by its own time-out at the latest).
            inFlight.tryAcquire(concurrency, Math.max(0, deadline - System.nanoTime()) + perConnection.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        BenchClient[] out = new BenchClient[n];
        int connected = 0;
        for (int i = 0; i < n; i++) {
            out[i] = clients.get(i);
            if (out[i] != null) {
                connected++;
            }
        }
        if (started < n && errors.size() < 5) {
            errors.add((n - started) + " connections not tried: deadline of " + overall.toSeconds() + " s reached");
        }
        return new Opened(out, connected, n - connected, List.copyOf(errors),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
