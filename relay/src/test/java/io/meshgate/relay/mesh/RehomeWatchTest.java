package io.meshgate.relay.mesh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RehomeWatchTest {
    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");

    @Test
    void countsEachRegionLeavingAndJoiningTheViewAndKeepsABoundedList() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicReference<Set<String>> live = new AtomicReference<>(Set.of());
        RehomeWatch watch = new RehomeWatch(REGIONS, live::get,
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), meters);
        assertEquals(0.0, away(meters, "eu-west"), "exported at zero before anything happens");
        watch.check();
        live.set(Set.copyOf(REGIONS));
        watch.check();
        assertEquals(List.of(), watch.recent(), "the first view is the baseline, not an event");
        live.set(Set.of("us-east", "ap-south"));
        watch.check();
        watch.check();
        live.set(Set.copyOf(REGIONS));
        watch.check();
        assertEquals(1.0, away(meters, "eu-west"));
        assertEquals(1.0, meters.get("meshgate.mesh.rehome.events").tags("target", "eu-west", "direction", "back")
                .counter().count());
        assertEquals(List.of(false, true), watch.recent().stream().map(RehomeWatch.Event::joined).toList());
        for (int i = 0; i < RehomeWatch.KEPT; i++) {
            live.set(i % 2 == 0 ? Set.of("us-east", "ap-south") : Set.copyOf(REGIONS));
            watch.check();
        }
        assertEquals(RehomeWatch.KEPT, watch.recent().size(), "older events fall off");
    }

    private static double away(SimpleMeterRegistry meters, String region) {
        return meters.get("meshgate.mesh.rehome.events").tags("target", region, "direction", "away").counter()
                .count();
    }
}
