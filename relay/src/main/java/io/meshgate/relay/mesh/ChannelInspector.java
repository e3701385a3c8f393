package io.meshgate.relay.mesh;

import io.meshgate.relay.history.ChannelState;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.region.RegionMember;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this region knows about one channel, for the operator's {@code channel} command: its home as this region
 * sees the mesh now, the configured preference order (the next homes), the operators' pin of it and the regions
 * failed over, this region's copy of the sequencer state
 * (epoch, term, fence, head, durable mark) and who here and elsewhere wants its messages. Read only: it changes no
 * state and creates no entry for a channel the region does not know.
 *
 * <p>Approximate by nature: {@code regionsWithInterest} is the region's stored copy of its peers' interest, written
 * behind by up to {@link InterestTable#FLUSH_DELAY_MS}; the state is one region's, so a replica's head may trail the
 * home's by messages in flight. Safe on any thread; each call does one Hazelcast read per map.
 */
public final class ChannelInspector {
    private final Mesh mesh;
    private final RegionMember region;

    public ChannelInspector(Mesh mesh, RegionMember region) {
        this.mesh = mesh;
        this.region = region;
    }

    /** This region's view of {@code channel}, as plain values ready for JSON. */
    public Map<String, Object> describe(String channel) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("channel", channel);
        out.put("region", mesh.regionName());
        out.put("home", mesh.home(channel));
        out.put("homeIsHere", mesh.isHomeHere(channel));
        out.put("preference", Rendezvous.rank(channel, mesh.settings().regions()));
        HomeOverrides overrides = mesh.overrides();
        out.put("pinnedTo", overrides.pinOf(channel));
        out.put("failedOver", overrides.evacuatedSorted());
        List<String> healthy = new ArrayList<>();
        for (String r : mesh.settings().regions()) {
            if (mesh.regionHealthy(r)) {
                healthy.add(r);
            }
        }
        out.put("healthyRegions", healthy);
        ChannelState state = region.hazelcast().<String, ChannelState>getMap(ChannelStore.MAP_NAME).get(channel);
        out.put("known", state != null);
        if (state != null) {
            out.put("epoch", state.epoch());
            out.put("term", state.term());
            out.put("fence", state.fence());
            out.put("head", state.head());
            out.put("durable", state.durable());
            out.put("nodesWithSubscribers", state.routes().size());
        }
        List<String> interested = new ArrayList<>();
        region.hazelcast().<String, HashSet<String>>getMap(InterestTable.MAP_NAME).forEach((peer, channels) -> {
            if (channels.contains(channel)) {
                interested.add(peer);
            }
        });
        interested.sort(null);
        out.put("peersWithInterest", interested);
        return out;
    }
}
