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

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Sends sequenced messages to the region's nodes that have subscribers. A node's own subscribers are served
 * directly; other nodes through their inbox topic ({@code meshgate.inbox.<member uuid>}).
 */
public final class RegionFanOut implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionFanOut.class);
    private static final String INBOX_PREFIX = "meshgate.inbox.";

    private final HazelcastInstance hazelcast;
    private final UUID self;
    private final LocalDelivery local;
    private final ITopic<byte[]> inbox;
    private final UUID listenerId;
    private final Counter sent;
    private final Counter received;
    private final Counter undecodable;

    public RegionFanOut(HazelcastInstance hazelcast, LocalDelivery local, MeterRegistry meters) {
        this.hazelcast = hazelcast;
        this.self = hazelcast.getCluster().getLocalMember().getUuid();
        this.local = local;
        this.sent = meters.counter("meshgate.fanout.sent", "to", "node");
        this.received = meters.counter("meshgate.fanout.received");
        this.undecodable = meters.counter("meshgate.fanout.undecodable");
        this.inbox = hazelcast.getTopic(INBOX_PREFIX + self);
        this.listenerId = inbox.addMessageListener(event -> onInbox(event.getMessageObject()));
    }

    private void onInbox(byte[] payload) {
        try {
            Delivery delivery = DeliveryCodec.parse(payload);
            received.increment();
            local.deliver(delivery.getChannel(), DeliveryCodec.fromProto(delivery));
        } catch (InvalidProtocolBufferException e) {
            undecodable.increment();
            LOG.warn("dropped an undecodable delivery: {}", e.toString());
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
                payload = DeliveryCodec.toProto(channel, messages).toByteArray();
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
