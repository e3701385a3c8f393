package io.meshgate.edge.delivery;

import io.meshgate.edge.protocol.EncodedMessage;

import java.util.List;

/** A subscriber of a feed. Every method is called on the feed's executor, in stream order. */
public interface FeedListener {
    /** The subscription is in place: called once, before any message or gap. */
    void onAttached(Attachment attachment);

    /**
     * Messages with consecutive seqs, each larger than everything given before. Their frames are shared with every
     * other subscriber of the channel on this node: write views of them, never copies.
     */
    void onMessages(List<EncodedMessage> messages);

    /** Seqs {@code from..to} are no longer in history and will never be given. */
    void onGap(long from, long to);

    /** The subscription could not be made (the region is unavailable). Nothing else follows. */
    void onFailure(Throwable cause);

    /**
     * False while the transport's queue is too full to take more messages; the feed then holds back and gives the
     * rest from history once there is room, so bursts never overflow a reader that keeps up.
     */
    boolean hasRoom();

    /**
     * The transport has had no room for the configured slow-consumer time: the subscriber reads too slowly. The feed
     * has dropped it; the transport closes (WebSocket 4008) so the client reconnects and resumes by position.
     */
    void onSlowConsumer();
}
