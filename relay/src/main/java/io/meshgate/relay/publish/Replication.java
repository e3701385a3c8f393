package io.meshgate.relay.publish;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.history.ChannelState;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How the home region hands newly sequenced messages to other regions. With {@code durability: region} a message
 * is acked and delivered only once another region has stored it ({@link Sent#stored}); without, it is sent and
 * forgotten.
 */
public interface Replication {

    /** True when new messages of the channel must wait for another region to store them. */
    boolean awaitsStore(String channel);

    /** Sends messages (in seq order, sequenced in {@code term}) to every region that has subscribers, and to one
     * more if durability needs it. */
    Sent send(String channel, long term, List<Message> messages);

    /**
     * After the durable mark was raised: sends the messages to regions that became interested after {@link #send}
     * chose its targets, so a region whose interest raced a batch still gets it.
     */
    void sendToLateInterest(String channel, long term, List<Message> messages, Set<String> alreadySentTo);

    /**
     * The channel's retention floor: the highest seq that every peer region with interest in the channel is known
     * to have stored. The home keeps the messages above it beyond {@code history.maxMessages} (up to
     * {@code history.maxRetainedMessages}) so a region that fell behind can still fetch them;
     * {@link ChannelState#NO_RETENTION_FLOOR} when no region lags or nothing is known. Called on worker threads once
     * per sequencing step; never blocks.
     */
    default long retentionFloor(String channel) {
        return ChannelState.NO_RETENTION_FLOOR;
    }

    /**
     * In a mesh: this region's name. The sequencer then sequences only channels this region owns as home (it
     * reconciled them, and no newer home fenced it since), and {@link #reconcile reconciles} any other channel
     * first. Null where one region is all there is.
     */
    default String homeRegion() {
        return null;
    }

    /**
     * Makes this region the channel's home: fences the other regions, takes what they hold, adopts the union under
     * a new term and epoch. Fails when too few regions answered or a newer home exists.
     */
    default CompletionStage<Void> reconcile(String channel) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * @param stored completes with the seq another region has stored everything up to; fails when none did in time
     * @param sentTo the regions the messages went to
     */
    record Sent(CompletionStage<Long> stored, Set<String> sentTo) {
    }

    /** One region: nothing to replicate to. */
    Replication NONE = new Replication() {
        @Override
        public boolean awaitsStore(String channel) {
            return false;
        }

        @Override
        public Sent send(String channel, long term, List<Message> messages) {
            return new Sent(CompletableFuture.completedFuture(0L), Set.of());
        }

        @Override
        public void sendToLateInterest(String channel, long term, List<Message> messages,
                                       Set<String> alreadySentTo) {
        }
    };
}
