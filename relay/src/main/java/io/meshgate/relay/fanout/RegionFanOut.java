package io.meshgate.relay.fanout;

import com.google.protobuf.InvalidProtocolBufferException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.meshgate.proto.relay.Delivery;
import io.meshgate.relay.channel.Message;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends sequenced messages to the region's nodes that have subscribers. A node's own subscribers are served
 * directly; other nodes through their inbox topic ({@code meshgate.inbox.<member uuid>}).
 *
 * <p>Every inbox payload is sealed with the region's secret ({@link DeliverySeal}), and a payload that does not open
 * (a member without the secret published it: open-source Hazelcast lets any member publish to any topic) is dropped
 * before this node's subscribers see it, counted in {@code meshgate.fanout.forged} and logged at most once per
 * {@link #FORGED_LOG_INTERVAL_MS}. The HMAC costs once per delivery at the sender and once per delivery at each
 * receiving node, never per subscriber.
 *
 * <p>Threads: {@link #send} on whichever thread sequenced the messages; inbox payloads arrive on Hazelcast event
 * threads; {@link #forget} on a Hazelcast event thread; {@link #close} on the composing thread.
 */
public final class RegionFanOut implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionFanOut.class);
    private static final String INBOX_PREFIX = "meshgate.inbox.";
    /** At most one warning about forged deliveries per this long, however many arrive: a flood must not flood logs. */
    static final long FORGED_LOG_INTERVAL_MS = 10_000;

    private final HazelcastInstance hazelcast;
    private final UUID self;
    private final LocalDelivery local;
    private final ITopic<byte[]> inbox;
    private final UUID listenerId;
    private final Counter sent;
    private final Counter received;
    private final Counter undecodable;
    private final Counter forged;
    private final DeliverySeal seal;
    private final Clock clock;
    /** When the next forged-delivery warning may be logged (epoch ms); moved forward by the thread that logs. */
    private final AtomicLong nextForgedLogMs = new AtomicLong();
    /** Forged deliveries dropped since the last warning. */
    private final AtomicLong forgedSinceLog = new AtomicLong();

    /**
     * Starts listening on this node's inbox at once.
     *
     * @param seal  seals what this node sends and opens what it receives, with the region's secret
     * @param clock paces the forged-delivery warning
     */
    public RegionFanOut(HazelcastInstance hazelcast, LocalDelivery local, DeliverySeal seal, MeterRegistry meters,
                        Clock clock) {
        this.hazelcast = hazelcast;
        this.self = hazelcast.getCluster().getLocalMember().getUuid();
        this.local = local;
        this.seal = seal;
        this.clock = clock;
        this.sent = meters.counter("meshgate.fanout.sent", "to", "node");
        this.received = meters.counter("meshgate.fanout.received");
        this.undecodable = meters.counter("meshgate.fanout.undecodable");
        this.forged = Counter.builder("meshgate.fanout.forged")
                .description("deliveries dropped from this node's inbox because they were not sealed with the"
                        + " region's cluster.secret (a member without it published them)")
                .register(meters);
        this.inbox = hazelcast.getTopic(INBOX_PREFIX + self);
        this.listenerId = inbox.addMessageListener(event -> onInbox(event.getMessageObject()));
    }

    private void onInbox(byte[] payload) {
        byte[] opened = seal.open(payload);
        if (opened == null) {
            onForged(payload);
            return;
        }
        try {
            Delivery delivery = DeliveryCodec.parse(opened);
            received.increment();
            local.deliver(delivery.getChannel(), DeliveryCodec.fromProto(delivery));
        } catch (InvalidProtocolBufferException e) {
            undecodable.increment();
            LOG.warn("dropped an undecodable delivery: {}", e.toString());
        }
    }

    private void onForged(byte[] payload) {
        forged.increment();
        long dropped = forgedSinceLog.incrementAndGet();
        long now = clock.millis();
        long next = nextForgedLogMs.get();
        if (now >= next && nextForgedLogMs.compareAndSet(next, now + FORGED_LOG_INTERVAL_MS)) {
            forgedSinceLog.addAndGet(-dropped);
            LOG.warn("dropped {} delivery(ies) on this node's inbox not sealed with the region's cluster.secret"
                    + " (last {} bytes): a cluster member without the secret is publishing, or nodes of the region"
                    + " disagree on cluster.secret; next warning in {} s at the earliest", dropped,
                    payload == null ? 0 : payload.length, FORGED_LOG_INTERVAL_MS / 1000);
        }
    }

    /** Sends messages of one channel (in seq order) to every member in {@code routes}. */
    public void send(String channel, List<Message> messages, Set<UUID> routes) {
        if (messages.isEmpty() || routes.isEmpty()) {
            return;
        }
        byte[] payload = null;
        for (UUID member : routes) {
            if (member.equals(self)) {
                try {
                    local.deliver(channel, messages);
                } catch (RuntimeException e) {
                    // Like a lost remote delivery: the other members still get theirs, the publisher still gets
                    // its ack, and this node's subscribers fill the hole from history.
                    LOG.warn("local delivery on {} failed: {}", channel, e.toString());
                }
                continue;
            }
            if (payload == null) {
                payload = seal.seal(DeliveryCodec.toProto(channel, messages).toByteArray());
            }
            try {
                hazelcast.<byte[]>getTopic(INBOX_PREFIX + member).publish(payload);
                sent.increment();
            } catch (RuntimeException e) {
                // The member is gone or unreachable: its subscribers resume elsewhere by position.
                LOG.debug("fan-out to {} failed: {}", member, e.toString());
            }
        }
    }

    /** A member left: its inbox will never be read again, so drop the topic and its bookkeeping cluster-wide. */
    public void forget(UUID member) {
        try {
            hazelcast.getTopic(INBOX_PREFIX + member).destroy();
        } catch (RuntimeException e) {
            LOG.debug("inbox of {} not destroyed: {}", member, e.toString());
        }
    }

    @Override
    public void close() {
        try {
            inbox.removeMessageListener(listenerId);
        } catch (RuntimeException e) {
            LOG.debug("inbox listener already gone: {}", e.toString());
        }
    }
}
