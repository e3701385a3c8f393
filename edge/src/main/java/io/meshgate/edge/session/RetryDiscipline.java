package io.meshgate.edge.session;

import java.time.Clock;

/**
 * Decides when a connection ignores the {@code retry_ms} it was given (close 4029). A refusal opens an episode that
 * lasts until the retry time it announced; requests refused during the episode are ones the client sent before it
 * could have read the first refusal, or ones it sent without waiting. Only when one episode collects
 * {@code closeAfter} of them is the connection closed, so a client that waits {@code retry_ms} and keeps fewer than
 * {@code closeAfter} requests in flight is never closed, however often it meets the limit.
 *
 * <p>Confined to the connection's I/O thread.
 */
public final class RetryDiscipline {
    private final int closeAfter;
    private final Clock clock;
    private long episodeEndsMs = Long.MIN_VALUE;
    private int earlyInEpisode;

    public RetryDiscipline(int closeAfter, Clock clock) {
        this.closeAfter = closeAfter;
        this.clock = clock;
    }

    /**
     * Records one refused request that was told to retry after {@code retryMs}.
     *
     * @return true when the connection should be closed with 4029
     */
    public boolean refused(long retryMs) {
        long now = clock.millis();
        if (now >= episodeEndsMs) {
            // retryMs is rounded up and now rounded down to the millisecond, so a client that waited exactly
            // retryMs can arrive one clock millisecond before now + retryMs: that retry must open a new episode.
            episodeEndsMs = now + retryMs - 1;
            earlyInEpisode = 0;
            return false;
        }
        earlyInEpisode++;
        return earlyInEpisode >= closeAfter;
    }
}
