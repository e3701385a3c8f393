package io.meshgate.client;

import com.fasterxml.jackson.databind.node.IntNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class OutboxTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    /** Always the top of the jitter range, so the waits are the backoff ceilings: 250, 500, 1000 ms... */
    private final Outbox outbox = new Outbox(3, new Backoff(250, 30_000, new ScriptedRandom(0.9999999)), clock);

    private static PendingPublish publish(String id) {
        return new PendingPublish("chat:room1", id, IntNode.valueOf(1), new CompletableFuture<>());
    }

    private static List<String> ids(List<PendingPublish> publishes) {
        return publishes.stream().map(p -> p.id).toList();
    }

    @Test
    void isBoundedAndRefusesADuplicateId() {
        assertEquals(Outbox.Refusal.NONE, outbox.offer(publish("c-1")));
        assertEquals(Outbox.Refusal.DUPLICATE_ID, outbox.offer(publish("c-1")));
        assertEquals(Outbox.Refusal.NONE, outbox.offer(publish("c-2")));
        assertEquals(Outbox.Refusal.NONE, outbox.offer(publish("c-3")));
        assertEquals(Outbox.Refusal.FULL, outbox.offer(publish("c-4")));
        assertEquals(3, outbox.size());
        outbox.remove("chat:room1", "c-2");
        assertEquals(Outbox.Refusal.NONE, outbox.offer(publish("c-4")), "an ack makes room");
    }

    @Test
    void sendsEachOncePerConnectionAndAllAgainInOrderAfterAReconnect() {
        outbox.offer(publish("c-1"));
        outbox.offer(publish("c-2"));
        assertEquals(List.of("c-1", "c-2"), ids(outbox.takeDue(1)));
        outbox.offer(publish("c-3"));
        assertEquals(List.of("c-3"), ids(outbox.takeDue(1)), "only what connection 1 has not had yet");
        assertEquals(List.of(), ids(outbox.takeDue(1)));
        outbox.remove("chat:room1", "c-2");
        assertEquals(List.of("c-1", "c-3"), ids(outbox.takeDue(2)), "unacked ones again, same ids, original order");
    }

    @Test
    void anUnavailablePublishWaitsOutAGrowingBackoff() {
        outbox.offer(publish("c-1"));
        outbox.offer(publish("c-2"));
        outbox.takeDue(1);
        assertEquals(-1, outbox.nextDueInMs());
        assertEquals(250, outbox.retryLater("chat:room1", "c-1"));
        assertEquals(250, outbox.nextDueInMs());
        assertEquals(List.of(), ids(outbox.takeDue(1)), "not before its backoff");
        clock.advance(Duration.ofMillis(249));
        assertEquals(List.of(), ids(outbox.takeDue(1)));
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of("c-1"), ids(outbox.takeDue(1)), "due again, on the same connection");
        assertEquals(500, outbox.retryLater("chat:room1", "c-1"), "the second refusal waits longer");
        assertEquals(-1, outbox.retryLater("chat:room1", "gone"));
    }

    @Test
    void aRateLimitedPublishWaitsTheServersRetryMs() {
        outbox.offer(publish("c-1"));
        outbox.takeDue(1);
        assertEquals(700, outbox.retryAfter("chat:room1", "c-1", 700));
        outbox.offer(publish("c-2"));
        assertEquals(List.of(), ids(outbox.takeDue(1)), "nothing on the connection meanwhile");
        clock.advance(Duration.ofMillis(699));
        assertEquals(List.of(), ids(outbox.takeDue(1)), "not before retry_ms");
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of("c-1", "c-2"), ids(outbox.takeDue(1)), "due again once retry_ms passed, in order");
        assertEquals(-1, outbox.retryAfter("chat:room1", "gone", 700));
    }

    @Test
    void atMostAWindowIsUnansweredOnOneConnection() {
        Outbox big = new Outbox(100, new Backoff(250, 30_000, new ScriptedRandom(0.5)), clock);
        for (int i = 0; i < 40; i++) {
            big.offer(publish("c-" + i));
        }
        assertEquals(Outbox.WINDOW, big.takeDue(1).size(), "a backlog goes out one window at a time");
        assertEquals(List.of(), ids(big.takeDue(1)), "nothing more until an answer");
        big.remove("chat:room1", "c-0");
        assertEquals(List.of("c-" + Outbox.WINDOW), ids(big.takeDue(1)), "an answer frees one place, in order");
        assertEquals(Outbox.WINDOW, big.takeDue(2).size(), "a new connection starts a new window");
    }

    @Test
    void stoppingEmptiesIt() {
        PendingPublish first = publish("c-1");
        outbox.offer(first);
        outbox.offer(publish("c-2"));
        List<PendingPublish> all = outbox.removeAll();
        assertSame(first, all.get(0));
        assertEquals(0, outbox.size());
        assertNull(outbox.remove("chat:room1", "c-1"));
    }
}
