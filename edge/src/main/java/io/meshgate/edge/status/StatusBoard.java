package io.meshgate.edge.status;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.relay.node.MeshStatusView;
import io.meshgate.relay.node.RegionBoard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The status page's picture of the mesh as this node sees it, rebuilt once per {@link #TICK_MS}: regions and their
 * liveness, each link's state and RTT, the RTT matrix, channels per home (this region's channels), connections and
 * message/ack rates per node of this region (each node writes its own row to a region-wide map with a short TTL),
 * recent re-home events and the faults in force. Listeners (the SSE stream) get every new picture.
 *
 * <p>Threads: everything but {@link #snapshot} and {@link #listen} runs on the board's own single thread, which may
 * block on the region's cluster without holding up the node's timer; the snapshot is a volatile string.
 */
public final class StatusBoard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusBoard.class);
    /** How often the picture is rebuilt and pushed. */
    public static final long TICK_MS = 1_000;
    /** Channels per home are recounted every this many ticks (a region-wide key scan). */
    private static final int CHANNEL_COUNT_EVERY = 5;
    /** Above this many channels the page shows the total only: listing keys would cost the region too much. */
    static final int MAX_CHANNELS_LISTED = 20_000;
    private static final long NODE_ROW_TTL_S = 10;

    private final String region;
    private final String node;
    private final MeshStatusView mesh;
    private final RegionBoard board;
    private final MeterRegistry meters;
    private final IntSupplier connections;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile String snapshot = "{}";
    private double lastMessages = -1;
    private double lastAcks = -1;
    private long lastAtMs;
    private int ticks;
    private ObjectNode channels = Json.MAPPER.createObjectNode();

    /**
     * @param mesh        what the board reads of the node's mesh, null for a one-region deployment
     * @param board       the rows of the region's nodes and its channels, shared through the region's cluster
     * @param connections this node's connected WebSocket clients
     */
    public StatusBoard(String region, String node, MeshStatusView mesh, RegionBoard board,
                       MeterRegistry meters, IntSupplier connections, Clock clock) {
        this.region = region;
        this.node = node;
        this.mesh = mesh;
        this.board = board;
        this.meters = meters;
        this.connections = connections;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** The latest picture as JSON. */
    public String snapshot() {
        return snapshot;
    }

    /** {@code listener} gets every new picture, on the board's thread; it must not block. */
    public void listen(Consumer<String> listener) {
        listeners.add(listener);
    }

    private void tick() {
        try {
            snapshot = build().toString();
            for (Consumer<String> listener : listeners) {
                listener.accept(snapshot);
            }
        } catch (RuntimeException e) {
            // The region's maps may be unreadable for a moment (a member leaving): the next tick tries again.
            LOG.debug("status picture not rebuilt: {}", e.toString());
        }
    }

    private ObjectNode build() {
        long now = clock.millis();
        ObjectNode out = Json.MAPPER.createObjectNode().put("region", region).put("node", node).put("atMs", now);
        ObjectNode own = ownRow(now);
        board.publishRow(node, own.toString(), NODE_ROW_TTL_S);
        ArrayNode rows = out.putArray("nodes");
        board.rows().values().forEach(row -> {
            try {
                rows.add(Json.MAPPER.readTree(row));
            } catch (java.io.IOException e) {
                LOG.debug("unreadable status row: {}", e.toString());
            }
        });
        if (ticks++ % CHANNEL_COUNT_EVERY == 0) {
            channels = countChannels();
        }
        out.set("channels", channels);
        meshPart(out);
        return out;
    }

    /** This node's row: its connections and its rates since the last tick. */
    private ObjectNode ownRow(long now) {
        double messages = counted("meshgate.feed.messages");
        double acks = 0;
        for (Timer t : meters.find("meshgate.publish.latency").timers()) {
            acks += t.count();
        }
        double seconds = (now - lastAtMs) / 1000.0;
        ObjectNode row = Json.MAPPER.createObjectNode().put("node", node).put("connections", connections.getAsInt())
                .put("messagesPerSec", lastMessages < 0 || seconds <= 0 ? 0 : round((messages - lastMessages) / seconds))
                .put("acksPerSec", lastAcks < 0 || seconds <= 0 ? 0 : round((acks - lastAcks) / seconds));
        lastMessages = messages;
        lastAcks = acks;
        lastAtMs = now;
        return row;
    }

    private double counted(String name) {
        double sum = 0;
        for (Counter c : meters.find(name).counters()) {
            sum += c.count();
        }
        return sum;
    }

    private ObjectNode countChannels() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        int total = board.channelCount();
        out.put("total", total);
        ObjectNode perHome = out.putObject("perHome");
        if (total > MAX_CHANNELS_LISTED) {
            out.put("note", "more than " + MAX_CHANNELS_LISTED + " channels: homes not counted");
            return out;
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (String channel : board.channelNames()) {
            counts.merge(mesh == null ? region : mesh.home(channel), 1, Integer::sum);
        }
        counts.forEach(perHome::put);
        return out;
    }

    @SuppressWarnings("unchecked")
    private void meshPart(ObjectNode out) {
        ArrayNode regions = out.putArray("regions");
        ArrayNode live = out.putArray("live");
        if (mesh == null) {
            regions.add(region);
            live.add(region);
            return;
        }
        for (String r : mesh.regions()) {
            regions.add(r);
            if (mesh.regionHealthy(r)) {
                live.add(r);
            }
        }
        Map<String, Object> status = mesh.status();
        ObjectNode links = out.putObject("links");
        ((Map<String, Map<String, Object>>) status.get("links")).forEach((peer, link) -> {
            ObjectNode l = links.putObject(peer);
            boolean up = Boolean.TRUE.equals(link.get("up"));
            boolean relayed = Boolean.TRUE.equals(link.get("relayed"));
            l.put("state", up ? "up" : relayed ? "relayed" : "down");
            l.putPOJO("rttMs", link.get("rttMs"));
            l.putPOJO("queued", link.get("queued"));
            l.putPOJO("breaker", link.get("breaker"));
            l.put("regionLive", mesh.regionHealthy(peer));
        });
        out.putPOJO("rttMs", status.get("rttMs"));
        ArrayNode events = out.putArray("rehomes");
        List<MeshStatusView.RehomeEvent> recent = mesh.recentRehomes();
        for (int i = recent.size() - 1; i >= 0; i--) {
            MeshStatusView.RehomeEvent e = recent.get(i);
            ArrayNode after = events.addObject().put("at", e.at().toString()).put("region", e.region())
                    .put("direction", e.joined() ? "back" : "away").putArray("live");
            new java.util.TreeSet<>(e.live()).forEach(after::add);
        }
        ObjectNode faults = out.putObject("faults");
        for (Map.Entry<String, MeshStatusView.LinkFault> f : mesh.faults().entrySet()) {
            faults.putPOJO(f.getKey(), f.getValue());
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
