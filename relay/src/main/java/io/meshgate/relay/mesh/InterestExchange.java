package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.InterestUpdate;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.relay.history.ChannelStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Interest, one role of the {@link MeshLeader}: which regions have subscribers of which channels. It takes the
 * peers' {@code InterestUpdate}s into the {@link InterestTable} (what the home sends deliveries by) and tells the
 * peers this region's own interest: a delta when a node of the region starts or stops reading a channel, the whole
 * set when a link comes up and every {@link #FULL_SYNC_INTERVAL_MS}.
 *
 * <p>Threads: {@link #take}, {@link #broadcast} and {@link #released} are called on the conductor and never block;
 * {@link #full} reads this region's interest from Hazelcast (blocking) and so is called on the worker only.
 */
final class InterestExchange {
    private static final Logger LOG = LoggerFactory.getLogger(InterestExchange.class);
    static final long FULL_SYNC_INTERVAL_MS = 30_000;

    private final MeshSettings settings;
    private final ChannelStore store;
    private final Links links;
    private final InterestTable interest;

    InterestExchange(MeshSettings settings, ChannelStore store, Links links, InterestTable interest) {
        this.settings = settings;
        this.store = store;
        this.links = links;
        this.interest = interest;
    }

    /** A peer's interest update. */
    void take(String from, InterestUpdate update) {
        if (update.getFull()) {
            interest.replace(from, update.getAddedList());
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
            store.hasRoutes(channel).thenAccept(still -> {
                if (!still) {
                    broadcast(List.of(), List.of(channel));
                }
            });
        }
    }

    /**
     * Sends this region's whole interest to {@code peers} and returns it (empty when it could not be read).
     * Blocking: worker only.
     */
    Set<String> full(Collection<String> peers) {
        Set<String> ours;
        try {
            ours = store.channelsWithRoutes();
        } catch (RuntimeException e) {
            LOG.warn("interest of this region could not be read: {}", e.toString());
            return Set.of();
        }
        LinkFrame update = LinkFrame.newBuilder().setInterest(InterestUpdate.newBuilder().setFull(true)
                .addAllAdded(ours)).build();
        for (String peer : peers) {
            links.send(peer, update);
        }
        return ours;
    }
}
