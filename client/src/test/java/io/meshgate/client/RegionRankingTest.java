package io.meshgate.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionRankingTest {
    private static final long MS = 1_000_000;

    private static ListedRegion region(String name) {
        return new ListedRegion(name, "ws://" + name + "/v1/ws", "http://" + name, true);
    }

    private static List<String> names(RegionRanking ranking) {
        return ranking.regions().stream().map(RankedRegion::name).toList();
    }

    @Test
    void theMedianIgnoresOneOutlier() {
        assertEquals(20 * MS, RegionRanking.medianNanos(List.of(20 * MS, 900 * MS, 10 * MS)));
        assertEquals(15 * MS, RegionRanking.medianNanos(List.of(20 * MS, 10 * MS)), "even count: mean of the middle two");
        assertEquals(7 * MS, RegionRanking.medianNanos(List.of(7 * MS)));
    }

    @Test
    void ranksByMedianRttLowestFirst() {
        RegionRanking ranking = RegionRanking.rank(List.of(region("ap-south"), region("eu-west"), region("us-east")),
                Map.of("ap-south", List.of(150 * MS, 151 * MS, 149 * MS),
                        "eu-west", List.of(80 * MS, 2 * MS, 81 * MS),
                        "us-east", List.of(5 * MS, 400 * MS, 6 * MS)));
        assertEquals(List.of("us-east", "eu-west", "ap-south"), names(ranking));
        assertEquals(Duration.ofMillis(6), ranking.regions().get(0).rtt());
        assertEquals(List.of("us-east", "eu-west", "ap-south"), List.copyOf(ranking.rtts().keySet()),
                "the exposed RTTs are in ranking order");
        assertEquals(Duration.ofMillis(80), ranking.rtts().get("eu-west"));
    }

    @Test
    void tiesKeepTheListingOrder() {
        RegionRanking ranking = RegionRanking.rank(List.of(region("b"), region("a"), region("c")),
                Map.of("a", List.of(10 * MS), "b", List.of(10 * MS), "c", List.of(10 * MS)));
        assertEquals(List.of("b", "a", "c"), names(ranking));
    }

    @Test
    void aRegionWithoutASuccessfulProbeIsUnreachable() {
        RegionRanking ranking = RegionRanking.rank(List.of(region("a"), region("b"), region("c")),
                Map.of("a", List.of(), "c", List.of(30 * MS)));
        assertEquals(List.of("c"), names(ranking));
        assertTrue(RegionRanking.rank(List.of(region("a")), Map.of()).isEmpty());
    }

    @Test
    void theFallbackRankingHasNoRtts() {
        RegionRanking only = RegionRanking.only(new RankedRegion("eu-west", "ws://x/v1/ws", "http://x", null));
        assertEquals(List.of("eu-west"), names(only));
        assertNull(only.regions().get(0).rtt());
        assertTrue(only.rtts().isEmpty());
    }
}
