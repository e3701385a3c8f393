package io.meshgate.edge.session;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;

/**
 * The {@code retry_ms} of a {@code rate_limited} answer: how long until the refusing limiter has a permit again, so a
 * client that waits that long is accepted (PROTOCOL.md, WebSocket step 3).
 */
public final class RetryTimes {
    private RetryTimes() {
    }

    /** Milliseconds until {@code limiter} grants a permit again; at least 1. */
    public static long retryMs(RateLimiter limiter) {
        if (limiter instanceof AtomicRateLimiter atomic) {
            long nanos = atomic.getDetailedMetrics().getNanosToWait();
            return Math.max(1, (nanos + 999_999) / 1_000_000);
        }
        return Math.max(1, limiter.getRateLimiterConfig().getLimitRefreshPeriod().toMillis());
    }

    /** {@code frame} (a JSON object) with {@code "retry_ms"} added as its last field. */
    public static String withRetryMs(String frame, long retryMs) {
        return frame.substring(0, frame.lastIndexOf('}')) + ",\"retry_ms\":" + retryMs + "}";
    }

    /** The HTTP {@code Retry-After} value (whole seconds, rounded up) for {@code retryMs}. */
    public static String retryAfterSeconds(long retryMs) {
        return Long.toString(Math.max(1, (retryMs + 999) / 1000));
    }
}
