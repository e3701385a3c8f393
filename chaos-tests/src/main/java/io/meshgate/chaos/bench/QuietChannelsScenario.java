package io.meshgate.chaos.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario (d): region heap per quiet channel. One message is published to each of N channels (over HTTP, spread
 * over the region's nodes, a bounded number in flight), then nothing more: the channels hold their state and a
 * one-message history. Bytes per channel = (heap after - heap before) / N, region-wide, so it includes the backup
 * copy of every channel. DESIGN.md asks for this with 100,000 channels: many quiet channels must stay cheap.
 */
final class QuietChannelsScenario {
    private static final Logger LOG = LoggerFactory.getLogger(QuietChannelsScenario.class);
    private static final int IN_FLIGHT = 64;
    private static final long DEADLINE_MS = 10 * 60_000;

    record Result(int channels, long published, long failed, long publishMillis, long heapBeforeBytes,
                  long heapAfterBytes, long bytesPerChannel, String method, boolean gcForced) {
    }

    private final int channels;
    private final Target target;
    private final HttpClient http;

    QuietChannelsScenario(int channels, Target target, HttpClient http) {
        this.channels = channels;
        this.target = target;
        this.http = http;
    }

    Result run() {
        try {
            return measure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private Result measure() throws InterruptedException {
        HeapProbe probe = target.heap();
        long before = probe.usedHeapBytes();
        List<String> bases = target.wsUrls().stream()
                .map(ws -> (ws.startsWith("wss://") ? "https://" + ws.substring(6) : "http://" + ws.substring(5))
                        .replace("/v1/ws", ""))
                .toList();
        LOG.info("quiet: heap before {} MiB; publishing one message to each of {} channels", before >> 20, channels);
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        for (int i = 0; i < channels && System.currentTimeMillis() < deadline; i++) {
            if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                failed.incrementAndGet();
                continue;
            }
            String body = "{\"ch\":\"quiet:" + i + "\",\"id\":\"q" + i + "\",\"data\":{\"i\":" + i + "}}";
            http.sendAsync(HttpRequest.newBuilder(URI.create(bases.get(i % bases.size()) + "/v1/publish"))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        if (error == null && response.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                        slots.release();
                    });
        }
        slots.acquire(IN_FLIGHT);
        long publishMillis = (System.nanoTime() - start) / 1_000_000;
        long after = probe.usedHeapBytes();
        long perChannel = ok.get() == 0 ? 0 : (after - before) / ok.get();
        LOG.info("quiet: {} published ({} failed) in {} ms; heap {} -> {} MiB; {} bytes per channel", ok.get(),
                failed.get(), publishMillis, before >> 20, after >> 20, perChannel);
        return new Result(channels, ok.get(), failed.get(), publishMillis, before, after, perChannel, probe.method(),
                probe.forcesGc());
    }
}
