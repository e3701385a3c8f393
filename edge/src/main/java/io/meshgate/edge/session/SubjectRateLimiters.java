package io.meshgate.edge.session;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.meshgate.edge.auth.Principal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-client ({@code sub} claim) publish rate limits on this node, shared by both transports: over HTTP there is no
 * connection to hang a limiter on, and over WebSocket one client must not multiply its rate by opening connections.
 * Holds at most {@code maxClients} limiters, least recently used dropped first, so a stream of distinct subjects
 * cannot grow memory. Insecure (demo) principals all share one subject and are not limited here.
 */
public final class SubjectRateLimiters {
    private final RateLimiterConfig config;
    private final Map<String, RateLimiter> limiters;

    public SubjectRateLimiters(int perSecond, int maxClients) {
        this.config = perSecond <= 0 ? null : RateLimiterConfig.custom().limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build();
        this.limiters = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RateLimiter> eldest) {
                return size() > maxClients;
            }
        };
    }

    public boolean tryAcquire(Principal principal) {
        return tryAcquireOrRetryMs(principal) == 0;
    }

    /** 0 when the publish may go ahead; otherwise the {@code retry_ms} after which the client's rate allows one. */
    public long tryAcquireOrRetryMs(Principal principal) {
        if (config == null || principal.insecure()) {
            return 0;
        }
        RateLimiter limiter;
        synchronized (limiters) {
            limiter = limiters.computeIfAbsent(principal.subject(), s -> RateLimiter.of("http-publish", config));
        }
        return limiter.acquirePermission() ? 0 : RetryTimes.retryMs(limiter);
    }
}
