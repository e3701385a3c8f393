package io.meshgate.relay.region;

import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The region's mesh leadership on two real Hazelcast members: the oldest claims it, a draining holder hands it to
 * the other member while both still run (the successor hears of it by the map event, not by a member leaving), and a
 * holder that vanishes leaves it to the oldest member left.
 */
class RegionLeadershipTest {

    @Test
    void theOldestClaimsAndAHolderHandsOverWhileBothStillRun() {
        try (TestRegion region = TestRegion.start(2, HistoryLimits.DEFAULTS)) {
            RegionLeadership first = region.member(0).leadership();
            RegionLeadership second = region.member(1).leadership();
            AtomicReference<RegionLeadership.Holder> heardBySecond = new AtomicReference<>();
            second.onChange(heardBySecond::set);

            assertFalse(second.claimIfVacant(), "only the oldest member claims a vacant leadership");
            assertTrue(first.claimIfVacant());
            assertTrue(first.claimIfVacant(), "claiming again keeps it");
            await().atMost(Duration.ofSeconds(10)).until(() -> region.member(0).memberId().equals(second.leader()));

            UUID successor = first.handOver();
            assertEquals(region.member(1).memberId(), successor);
            assertFalse(first.isMine());
            await().atMost(Duration.ofSeconds(10)).until(second::isMine);
            assertEquals(successor, heardBySecond.get().member());
            assertEquals(2, heardBySecond.get().term(), "every change of leader raises the term");
            assertFalse(first.awaitSuccessorLeading(2, 100), "the successor has not said it leads yet");
            second.leading();
            assertTrue(first.awaitSuccessorLeading(2, 5_000));
            assertNull(first.handOver(), "a member that does not hold the leadership has nothing to hand over");
            assertFalse(first.claimIfVacant(), "the holder still runs: nothing is vacant");
            assertEquals(2, region.member(0).clusterSize(), "the handover needed no member to leave");
        }
    }

    @Test
    void aVanishedHolderLeavesTheLeadershipToTheOldestMemberLeft() {
        try (TestRegion region = TestRegion.start(2, HistoryLimits.DEFAULTS)) {
            RegionLeadership first = region.member(0).leadership();
            RegionLeadership second = region.member(1).leadership();
            assertTrue(first.claimIfVacant());

            region.terminate(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> region.member(1).clusterSize() == 1);
            assertTrue(second.claimIfVacant());
            assertTrue(second.isMine());
            assertNull(second.handOver(), "alone in the region: nobody to hand over to");
        }
    }
}
