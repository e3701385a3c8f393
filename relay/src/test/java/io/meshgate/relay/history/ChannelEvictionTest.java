package io.meshgate.relay.history;

import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Channel state is bounded (issue 11, attack 3): subscribing to 20,000 distinct channels and leaving each again
 * leaves nothing behind in a real two-member region, while every channel that has a message or a subscriber keeps
 * its state.
 */
class ChannelEvictionTest {
    private static final int CYCLES = 20_000;
    private static final int BATCH = 500;
    private static TestRegion region;
    private static ChannelStore store;

    @BeforeAll
    static void start() {
        region = TestRegion.start(2, HistoryLimits.DEFAULTS);
        store = region.member(0).store();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void twentyThousandSubscribeUnsubscribeCyclesLeaveNoChannelState() throws Exception {
        UUID member = region.member(0).memberId();
        String prefix = "churn-" + UUID.randomUUID() + ":";
        int before = store.channelCount();
        for (int from = 0; from < CYCLES; from += BATCH) {
            List<CompletableFuture<?>> calls = new ArrayList<>();
            for (int i = from; i < from + BATCH; i++) {
                String ch = prefix + i;
                calls.add(store.subscribe(ch, member, 0, 10).thenCompose(r -> store.unsubscribe(ch, member))
                        .toCompletableFuture());
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }

        assertEquals(before, store.channelCount(), "channels left behind by subscribe/unsubscribe cycles");
        assertEquals(0, store.evictIdle(), "nothing idle was left for the sweep either");
    }

    @Test
    void channelsWithAMessageOrASubscriberAreKept() throws Exception {
        UUID member = region.member(0).memberId();
        String published = "kept-" + UUID.randomUUID();
        String subscribed = "kept-" + UUID.randomUUID();
        store.subscribe(published, member, 0, 10).toCompletableFuture().get(30, TimeUnit.SECONDS);
        store.sequence(published, List.of(new PublishRequest("m-1", "1"))).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        store.unsubscribe(published, member).toCompletableFuture().get(30, TimeUnit.SECONDS);
        store.subscribe(subscribed, member, 0, 10).toCompletableFuture().get(30, TimeUnit.SECONDS);

        store.evictIdle();

        assertEquals(1, store.read(published, 0, 10).toCompletableFuture().get(30, TimeUnit.SECONDS).head(),
                "a channel that had a message keeps its head, so its seqs are never reused");
        assertTrue(store.hasRoutes(subscribed).toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
}
