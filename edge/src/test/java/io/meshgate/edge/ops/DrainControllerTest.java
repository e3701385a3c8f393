package io.meshgate.edge.ops;

import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.server.EdgeContext;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.session.PublishCommand;
import io.meshgate.edge.session.PublishService;
import io.meshgate.edge.websocket.WebSocketEndpoint;
import io.meshgate.relay.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drain's deadline is measured with the node's injected clock: a publish whose ack never comes holds the drain
 * until the clock passes {@code drainTimeoutMs}, ten minutes here, which the test moves past without waiting them.
 */
class DrainControllerTest {
    private static final long TIMEOUT_MS = 600_000;

    @Test
    void aPublishThatIsNeverAckedHoldsTheDrainUntilTheClockPassesItsTimeout() throws Exception {
        ManualClock clock = new ManualClock();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            EdgeContext ctx = new EdgeContext(EdgeSettings.defaults("r", "n", "127.0.0.1", 0), null, null, null,
                    null, null, meters, clock, timer);
            PublishService publishes = new PublishService((channel, request) -> new CompletableFuture<>(), meters);
            publishes.publish(Principal.insecure("pub"), new PublishCommand("drain.clock", "never-acked", "{}"));
            // The drain asks for a move target right after it has read its deadline off the clock.
            CountDownLatch deadlineRead = new CountDownLatch(1);
            DrainController drain = new DrainController(new Readiness(clock, 0, () -> true),
                    new WebSocketEndpoint(ctx), publishes, "r", "n", () -> {
                        deadlineRead.countDown();
                        return null;
                    }, TIMEOUT_MS, 5_000, clock);

            CompletableFuture<Void> drained = drain.drain("test");
            assertTrue(deadlineRead.await(10, TimeUnit.SECONDS), "the drain started");
            clock.advance(TIMEOUT_MS - 1);
            assertThrows(TimeoutException.class, () -> drained.get(300, TimeUnit.MILLISECONDS),
                    "a publish is in flight and the clock has not reached the deadline");
            clock.advance(1);
            drained.get(10, TimeUnit.SECONDS);
            assertEquals(1, publishes.inFlight(), "the drain gave up on the publish at its deadline");
        } finally {
            timer.shutdownNow();
        }
    }
}
