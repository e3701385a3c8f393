package io.meshgate.edge.longpoll;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-client ({@code sub} claim) publish rate limits for the stateless HTTP transport, where there is no connection
 * to hang a limiter on. Holds at most {@code maxClients} limiters, least recently used dropped first, so a stream
 * of distinct subjects cannot grow memory.
 */
final class SubjectRateLimiters {
    private final RateLimiterConfig config;
    private final Map<String, RateLimiter> limiters;

    SubjectRateLimiters(int perSecond, int maxClients) {
        this.config = perSecond <= 0 ? null : RateLimiterConfig.custom().limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build();
        this.limiters = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RateLimiter> eldest) {
                return size() > maxClients;
            }
        };
    }

    boolean tryAcquire(String subject) {
        if (config == null) {
            return true;
        }
        RateLimiter limiter;
        synchronized (limiters) {
            limiter = limiters.computeIfAbsent(subject, s -> RateLimiter.of("http-publish", config));
        }
        return limiter.acquirePermission();
    }
}
