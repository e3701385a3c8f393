package io.meshgate.relay.mesh;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RendezvousTest {
    private static final List<String> THREE = List.of("us-east", "eu-west", "ap-south");

    @Test
    void everyOrderOfTheRegionsGivesTheSameHome() {
        for (int i = 0; i < 200; i++) {
            String ch = "chat:" + i;
            assertEquals(Rendezvous.home(ch, THREE), Rendezvous.home(ch, List.of("ap-south", "us-east", "eu-west")));
            assertEquals(Rendezvous.home(ch, THREE), Rendezvous.rank(ch, THREE).get(0));
        }
    }

    @Test
    void homesSpreadOverRegions() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(Rendezvous.home("room:" + i, THREE), 1, Integer::sum);
        }
        counts.values().forEach(n -> assertTrue(n > 800 && n < 1200, "uneven spread " + counts));
    }

    @Test
    void removingARegionMovesOnlyItsOwnChannels() {
        for (int i = 0; i < 1000; i++) {
            String ch = "c" + i;
            List<String> rank = Rendezvous.rank(ch, THREE);
            List<String> without = THREE.stream().filter(r -> !r.equals(rank.get(0))).toList();
            assertEquals(rank.get(1), Rendezvous.home(ch, without), "the runner-up takes over");
            String other = rank.get(2);
            List<String> withoutOther = THREE.stream().filter(r -> !r.equals(other)).toList();
            assertEquals(rank.get(0), Rendezvous.home(ch, withoutOther), "a channel whose home stays does not move");
        }
    }
}
