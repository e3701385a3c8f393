package io.meshgate.edge.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

import java.util.Map;

/**
 * The {@code # HELP} text of every Meshgate meter that is registered without a description, in one table for
 * operators, so that {@code /metrics} has no empty help line. A meter that has its own description keeps it.
 * Registered on the node's registry before any meter, so it applies to every meter of every module.
 */
final class MetricDescriptions implements MeterFilter {
    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("meshgate.delivery.frames_encoded",
                    "message frames encoded by this node (once per message, shared by every subscriber)"),
            Map.entry("meshgate.region.channels", "channels whose state this node's region holds"),
            Map.entry("meshgate.ws.write.batches", "gathering writes to WebSocket sockets (one or more frames each)"),
            Map.entry("meshgate.ws.write.frames", "frames written to WebSocket sockets"),
            Map.entry("meshgate.ws.write.deferred",
                    "WebSocket writes after which more was queued and left for the socket's next turn"),
            Map.entry("meshgate.fanout.sent", "deliveries this node sent to other nodes of its region"),
            Map.entry("meshgate.fanout.received", "deliveries this node received from other nodes of its region"),
            Map.entry("meshgate.fanout.undecodable", "region deliveries dropped because they could not be decoded"),
            Map.entry("meshgate.feed.channels", "channels this node has a delivery feed for (local subscribers)"),
            Map.entry("meshgate.feed.messages", "messages delivered in order by this node's channel feeds"),
            Map.entry("meshgate.feed.pending.overflow",
                    "times a feed's buffer of out-of-order messages overflowed and was refilled from history"),
            Map.entry("meshgate.feed.slow_consumers", "subscribers dropped for not keeping up with their channel"),
            Map.entry("meshgate.mesh.deliveries", "sequenced messages crossing the mesh, by direction (in or out)"),
            Map.entry("meshgate.mesh.frames.refused",
                    "mesh frames refused because a link's queue was full or the link was down"),
            Map.entry("meshgate.mesh.frames.relayed", "mesh frames forwarded for another region over a relayed path"),
            Map.entry("meshgate.mesh.faults.active",
                    "mesh links of this node with an injected fault (chaos experiments; 0 in service)"),
            Map.entry("meshgate.mesh.link.transitions",
                    "changes of a mesh link's heartbeat state (failure detector), by the state entered"),
            Map.entry("meshgate.mesh.region.transitions",
                    "changes of a region's liveness as this region's mesh leader sees it, by the state entered"),
            Map.entry("meshgate.mesh.rehome.events", "changes of the liveness view that re-home a region's channels:"
                    + " away when it left the view, back when it joined it again"),
            Map.entry("meshgate.mesh.replication.lag",
                    "from sending a sequenced message to a peer region until it reported it stored"),
            Map.entry("meshgate.mesh.term.changes", "channels this region adopted under a term above the first:"
                    + " taken over, taken back or re-adopted after a restart"),
            Map.entry("meshgate.mesh.replica.dropped",
                    "deliveries from a home region dropped because too many were waiting to be stored here"),
            Map.entry("meshgate.mesh.replica.fetches", "history ranges fetched from the home to fill a hole"),
            Map.entry("meshgate.mesh.head_notices", "channel heads a home sent to regions with interest after the"
                    + " channel went quiet, so a region that lost the last delivery fetches it"),
            Map.entry("meshgate.mesh.head_notices.untracked", "channels sequenced while the head-notice table was"
                    + " full: a region that lost their last delivery catches up only at the next publish or link sync"),
            Map.entry("meshgate.mesh.head_notices.behind", "head notices that found this region's replica behind"
                    + " its home (a delivery was lost): what it lacked was fetched"),
            Map.entry("meshgate.poll.inflight", "long-poll requests being held open by this node"),
            Map.entry("meshgate.publish.ack.gap", "while publishes wait for their ack: seconds since this node last"
                    + " acked one (0 when none wait); a failover's pause shows here"),
            Map.entry("meshgate.publish.batch.size", "publishes sequenced together in one step of a channel"),
            Map.entry("meshgate.publish.inflight", "publishes received by this node and not yet acked or nacked"),
            Map.entry("meshgate.publish.nacks", "publishes answered with a nack, by code"),
            Map.entry("meshgate.publish.queue.overflow",
                    "publishes nacked because their channel's sequencing queue on this node was full"),
            Map.entry("meshgate.region.members", "members of this node's region cluster as this node sees it"),
            Map.entry("meshgate.ws.connections", "WebSocket clients that completed connect"),
            Map.entry("meshgate.ws.sockets", "open WebSocket sockets, connected or not yet"));

    @Override
    public Meter.Id map(Meter.Id id) {
        String help = HELP.get(id.getName());
        if (help == null || (id.getDescription() != null && !id.getDescription().isBlank())) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help, id.getType());
    }
}
