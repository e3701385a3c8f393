package io.meshgate.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventDispatcherTest {
    private final AtomicInteger roomCalls = new AtomicInteger();
    private final EventDispatcher events = new EventDispatcher("test-events", 4, roomCalls::incrementAndGet);

    @AfterEach
    void stop() {
        events.stop(1_000);
    }

    @Test
    void runsEverythingInOrderOnOneThreadAndSurvivesACallbackThatThrows() {
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        events.message(() -> {
            ran.add("m1");
            threads.add(Thread.currentThread());
        });
        events.completion(() -> {
            throw new IllegalStateException("an application bug");
        });
        events.notice(() -> {
            ran.add("n1");
            threads.add(Thread.currentThread());
        });
        events.message(() -> {
            ran.add("m2");
            threads.add(Thread.currentThread());
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 3);
        assertEquals(List.of("m1", "n1", "m2"), ran);
        assertEquals(1, threads.stream().distinct().count(), "one event thread");
        assertFalse(threads.contains(Thread.currentThread()));
    }

    @Test
    void aFullBacklogStopsReadingUntilItDrainedToHalf() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        events.message(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 3; i++) {
            events.message(() -> { });
        }
        assertFalse(events.hasRoom(), "4 waiting: the high-water mark");
        assertEquals(0, roomCalls.get());
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> roomCalls.get() == 1);
        assertTrue(events.hasRoom());
        events.message(() -> { });
        await().atMost(Duration.ofSeconds(5)).until(events::hasRoom);
        assertEquals(1, roomCalls.get(), "only a reader that was held back is told");
    }
}
