package io.meshgate.client;

import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: before retry {@code n} (0 for the first) wait a uniformly random time in
 * {@code [0, min(cap, base * 2^n)]}. Full jitter spreads the clients of a failed node over the whole window, so they
 * do not all arrive at the next node at once.
 *
 * <p>Not thread-safe: the conductor owns the attempt counter; {@link #delayMs(int)} is a pure function of its
 * argument and the random source.
 */
final class Backoff {
    private final long baseMs;
    private final long capMs;
    private final RandomGenerator random;
    private int attempt;

    Backoff(long baseMs, long capMs, RandomGenerator random) {
        if (baseMs <= 0 || capMs < baseMs) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap, got base " + baseMs + " ms, cap "
                    + capMs + " ms");
        }
        this.baseMs = baseMs;
        this.capMs = capMs;
        this.random = random;
    }

    /** The upper bound of the wait before retry {@code n}. */
    long ceilingMs(int n) {
        // Past 2^40 the product exceeds any sane cap; stop shifting before it overflows.
        int shift = Math.min(Math.max(n, 0), 40);
        return Math.min(capMs, baseMs << shift);
    }

    /** A random wait before retry {@code n}. */
    long delayMs(int n) {
        return (long) (random.nextDouble() * (ceilingMs(n) + 1));
    }

    /** The wait before the next retry; counts it. */
    long next() {
        return delayMs(attempt++);
    }

    /** After a connection stayed up long enough: the next retry is retry 0 again. */
    void reset() {
        attempt = 0;
    }

    int attempt() {
        return attempt;
    }
}
