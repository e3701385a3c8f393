package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.InterestUpdate;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.relay.history.ChannelStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Interest, one role of the {@link MeshLeader}: which regions have subscribers of which channels. It takes the
 * peers' {@code InterestUpdate}s into the {@link InterestTable} (what the home sends deliveries by) and tells the
 * peers this region's own interest: a delta when a node of the region starts or stops reading a channel, the whole
 * set when a link comes up and every {@link #FULL_SYNC_INTERVAL_MS}.
 *
 * <p>Threads: {@link #take}, {@link #broadcast}, {@link #released} and {@link #sendFull} are called on the
 * {@link Conductor} and never block; {@link #ours} reads this region's interest from Hazelcast (blocking) and so is
 * called on the housekeeping thread only, its result handed back to the conductor.
 */
final class InterestExchange {
    private static final Logger LOG = LoggerFactory.getLogger(InterestExchange.class);
    static final long FULL_SYNC_INTERVAL_MS = 30_000;

    private final MeshSettings settings;
    private final ChannelStore store;
    private final Links links;
    private final InterestTable interest;
    private final Executor conductor;
    private final HeadNotices notices;

    /** @param conductor where Hazelcast completions hop back to (the {@link Conductor}) */
    InterestExchange(MeshSettings settings, ChannelStore store, Links links, InterestTable interest,
                     HeadNotices notices, Executor conductor) {
        this.notices = notices;
        this.conductor = conductor;
        this.settings = settings;
        this.store = store;
        this.links = links;
        this.interest = interest;
    }

    /**
     * A peer's interest update. A full one that names channels this table did not have for the peer (a delta that
     * was lost or overtaken) has their heads sent to it, since deliveries to it stopped meanwhile.
     */
    void take(String from, InterestUpdate update) {
        if (update.getFull()) {
            Set<String> gained = interest.replace(from, update.getAddedList());
            if (!gained.isEmpty()) {
                notices.regained(from, gained);
            }
        } else {
            interest.add(from, update.getAddedList());
            interest.remove(from, update.getRemovedList());
        }
    }

    /** Tells every peer that this region gained and lost interest in these channels. */
    void broadcast(List<String> added, List<String> removed) {
        LinkFrame update = LinkFrame.newBuilder().setInterest(InterestUpdate.newBuilder().addAllAdded(added)
                .addAllRemoved(removed)).build();
        for (String peer : settings.peers().keySet()) {
            links.send(peer, update);
        }
    }

    /** A node of this region stopped reading these channels: each one nobody here reads any more is withdrawn. */
    void released(Collection<String> channels) {
        for (String channel : channels) {
            store.hasRoutes(channel).thenAcceptAsync(still -> {
                if (!still) {
                    broadcast(List.of(), List.of(channel));
                }
            }, conductor);
        }
    }

    /**
     * This region's whole interest, or null when it could not be read. Blocking (a Hazelcast query): housekeeping
     * thread only.
     */
    Set<String> ours() {
        try {
            return store.channelsWithRoutes();
        } catch (RuntimeException e) {
            LOG.warn("interest of this region could not be read: {}", e.toString());
            return null;
        }
    }

    /** Sends {@code ours}, this region's whole interest as read by {@link #ours}, to {@code peers}. */
    void sendFull(Collection<String> peers, Set<String> ours) {
        LinkFrame update = LinkFrame.newBuilder().setInterest(InterestUpdate.newBuilder().setFull(true)
                .addAllAdded(ours)).build();
        for (String peer : peers) {
            links.send(peer, update);
        }
    }
}
