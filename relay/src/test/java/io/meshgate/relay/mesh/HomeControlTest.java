package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.HomeChange;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operator overrides of channel homes: how {@link Homes} ranks with them, and how {@link HomeControl} decides,
 * refuses and spreads changes (by version) between regions.
 */
class HomeControlTest {
    private static final List<String> REGIONS = List.of("ap-south", "eu-west", "us-east");

    private final Set<String> live = new HashSet<>(REGIONS);

    private static MeshSettings settings(String region, Durability durability) {
        Map<String, List<PeerAddress>> peers = new java.util.TreeMap<>();
        REGIONS.stream().filter(r -> !r.equals(region)).forEach(r -> peers.put(r, List.of()));
        return new MeshSettings(region, peers, durability, 500, 4, 2, 100, 5_000, 5_000, 2_000, Map.of(), null);
    }

    private HomeControl control(String region) {
        return new HomeControl(settings(region, Durability.REGION), () -> Set.copyOf(live), HomeOverrides.EMPTY);
    }

    private static HomeChange change(HomeControl control, HomeChange.Op op, String region, String channel) {
        return control.change(HomeChange.newBuilder().setOp(op).setRegion(region).setChannel(channel).build());
    }

    @Test
    void aFailedOverRegionIsHomeOfNothingWhileAnotherIsLiveAndOfItsChannelsAgainWhenRestored() {
        HomeControl control = control("us-east");
        Homes homes = new Homes(settings("us-east", Durability.REGION), () -> Set.copyOf(live), control::current);
        String channel = channelHomedIn("eu-west");
        List<String> before = homes.rank(channel);

        HomeChange done = change(control, HomeChange.Op.EVACUATE, "eu-west", "");
        assertTrue(done.getChanged(), done.toString());
        assertEquals(1, done.getTable().getVersion());
        assertEquals(List.of(before.get(1), before.get(2), "eu-west"), homes.rank(channel),
                "the next home takes it; eu-west stays last (it still stores copies)");
        for (int i = 0; i < 50; i++) {
            assertFalse(homes.home("c" + i).equals("eu-west"), "no channel is homed in a failed-over region");
        }
        assertFalse(change(control, HomeChange.Op.EVACUATE, "eu-west", "").getChanged(), "idempotent");

        assertTrue(change(control, HomeChange.Op.READMIT, "eu-west", "").getChanged());
        assertEquals(before, homes.rank(channel), "restored: the rendezvous order again");
        assertFalse(change(control, HomeChange.Op.READMIT, "eu-west", "").getChanged(), "idempotent");
        assertEquals(2, control.current().version());
    }

    @Test
    void failingOverTheLastLiveRegionIsRefused() {
        HomeControl control = control("us-east");
        assertTrue(change(control, HomeChange.Op.EVACUATE, "eu-west", "").getChanged());
        live.remove("ap-south");
        HomeChange refused = change(control, HomeChange.Op.EVACUATE, "us-east", "");
        assertFalse(refused.getChanged());
        assertTrue(refused.getRefusal().contains("would leave no live region"), refused.getRefusal());
        assertEquals(Set.of("eu-west"), control.current().evacuated(), "nothing changed");
    }

    @Test
    void restoringOrPinningToARegionThatIsNotLiveIsRefused() {
        HomeControl control = control("us-east");
        assertTrue(change(control, HomeChange.Op.EVACUATE, "ap-south", "").getChanged());
        live.remove("ap-south");
        assertTrue(change(control, HomeChange.Op.READMIT, "ap-south", "").getRefusal().contains("not live"));
        assertTrue(change(control, HomeChange.Op.PIN, "ap-south", "chat:hot").getRefusal().contains("not live"));
        live.add("ap-south");
        assertTrue(change(control, HomeChange.Op.PIN, "ap-south", "chat:hot").getRefusal().contains("failed over"));
        assertTrue(change(control, HomeChange.Op.PIN, "mars", "chat:hot").getRefusal().contains("configuration"));
        assertTrue(change(control, HomeChange.Op.PIN, "eu-west", "bad channel").getRefusal().contains("channel"));
        assertEquals(1, control.current().version(), "refusals change nothing");
    }

    @Test
    void aPinnedChannelIsHomedInItsRegionWhileThatIsLive() {
        HomeControl control = control("us-east");
        Homes homes = new Homes(settings("us-east", Durability.REGION), () -> Set.copyOf(live), control::current);
        String channel = channelHomedIn("us-east");
        assertTrue(change(control, HomeChange.Op.PIN, "ap-south", channel).getChanged());
        assertFalse(change(control, HomeChange.Op.PIN, "ap-south", channel).getChanged(), "idempotent");
        assertEquals("ap-south", homes.home(channel));
        live.remove("ap-south");
        assertEquals("us-east", homes.home(channel), "a pin to a region that went down yields to the ranking");
        live.add("ap-south");
        assertTrue(change(control, HomeChange.Op.UNPIN, "", channel).getChanged());
        assertFalse(change(control, HomeChange.Op.UNPIN, "", channel).getChanged(), "idempotent");
        assertEquals("us-east", homes.home(channel));
    }

    @Test
    void regionsAdoptTheNewestTableSoARestartedRegionIsTaughtAgain() {
        HomeControl usEast = control("us-east");
        change(usEast, HomeChange.Op.EVACUATE, "eu-west", "");
        change(usEast, HomeChange.Op.PIN, "ap-south", "chat:hot");
        HomeControl restarted = control("eu-west");
        assertTrue(restarted.learn("us-east", usEast.current().toProto()));
        assertEquals(usEast.current(), restarted.current());
        assertFalse(restarted.learn("ap-south", HomeOverrides.EMPTY.toProto()), "an older table is ignored");
        HomeChange next = change(restarted, HomeChange.Op.UNPIN, "", "chat:hot");
        assertEquals(3, next.getTable().getVersion(), "a change continues from the learnt version");
        assertTrue(usEast.learn("eu-west", next.getTable()));
        assertEquals(Map.of(), usEast.current().pins());
    }

    @Test
    void withoutReHomingEveryChangeIsRefused() {
        HomeControl control = new HomeControl(settings("us-east", Durability.LOCAL), () -> Set.copyOf(live),
                HomeOverrides.EMPTY);
        assertTrue(change(control, HomeChange.Op.EVACUATE, "eu-west", "").getRefusal().contains("durability"));
    }

    /**
     * The handover metric's kind is why the reconciling region is home now: an operator's failover, a pin, or the
     * channel's own home taking it back; a take-over from a home that is down is no handover.
     */
    @Test
    void aHandoverIsNamedByWhyTheRegionTookTheChannel() {
        HomeControl control = control("us-east");
        String channel = channelHomedIn("eu-west");
        List<String> rank = Rendezvous.rank(channel, REGIONS);
        String next = rank.get(1);
        String last = rank.get(2);
        Homes atHome = new Homes(settings("eu-west", Durability.REGION), () -> Set.copyOf(live), control::current);
        Homes atNext = new Homes(settings(next, Durability.REGION), () -> Set.copyOf(live), control::current);
        Homes atLast = new Homes(settings(last, Durability.REGION), () -> Set.copyOf(live), control::current);
        assertEquals(null, atNext.handoverKind(channel), "not home there");

        assertTrue(change(control, HomeChange.Op.EVACUATE, "eu-west", "").getChanged());
        assertEquals(Handovers.Kind.FAILOVER, atNext.handoverKind(channel));
        assertTrue(change(control, HomeChange.Op.READMIT, "eu-west", "").getChanged());
        assertEquals(Handovers.Kind.FAILBACK, atHome.handoverKind(channel), "restored: its home takes it back");

        live.remove("eu-west");
        assertEquals(null, atNext.handoverKind(channel), "took over from a home that is down: no handover");
        live.add("eu-west");
        assertEquals(Handovers.Kind.FAILBACK, atHome.handoverKind(channel), "back after an outage");

        assertTrue(change(control, HomeChange.Op.PIN, last, channel).getChanged());
        assertEquals(Handovers.Kind.PIN, atLast.handoverKind(channel));
        assertEquals(null, atHome.handoverKind(channel), "pinned away: not home there");
    }

    private static String channelHomedIn(String region) {
        for (int i = 0; ; i++) {
            if (Rendezvous.home("t" + i, REGIONS).equals(region)) {
                return "t" + i;
            }
        }
    }
}
