package io.meshgate.edge.session;

import io.meshgate.relay.testkit.ManualClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryDisciplineTest {
    private static final int CLOSE_AFTER = 10;

    @Test
    void requestsRefusedBeforeTheAnnouncedRetryTimeCloseAfterCloseAfterOfThem() {
        ManualClock clock = new ManualClock(10_000);
        RetryDiscipline discipline = new RetryDiscipline(CLOSE_AFTER, clock);
        assertFalse(discipline.refused(500), "the first refusal only opens the episode");
        for (int i = 1; i < CLOSE_AFTER; i++) {
            clock.advance(10);
            assertFalse(discipline.refused(500), "early refusal " + i);
        }
        clock.advance(10);
        assertTrue(discipline.refused(500), "the closeAfter-th early refusal closes");
    }

    /**
     * The CI failure of WsRetryMsTest: {@code retry_ms} is rounded up and the clock read rounded down, so a retry
     * sent exactly {@code retry_ms} later can read one millisecond less than refusal time + {@code retry_ms}. When
     * a second limiter (the client's, with another phase) refuses those retries, they must open a new episode, not
     * count as early in the old one.
     */
    @Test
    void aRetryThatWaitedRetryMsIsNeverEarlyDespiteMillisecondRounding() {
        ManualClock clock = new ManualClock(10_000);
        RetryDiscipline discipline = new RetryDiscipline(CLOSE_AFTER, clock);
        for (int round = 0; round < 50; round++) {
            assertFalse(discipline.refused(7), "round " + round + " opens an episode");
            for (int inFlight = 1; inFlight < CLOSE_AFTER - 2; inFlight++) {
                assertFalse(discipline.refused(7), "round " + round + ", in flight " + inFlight);
            }
            // The retry, sent retry_ms (7) after the refusal, reads one millisecond less.
            clock.advance(7 - 1);
        }
    }
}
