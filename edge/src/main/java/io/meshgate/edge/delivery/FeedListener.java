package io.meshgate.edge.delivery;

import io.meshgate.relay.channel.Message;

import java.util.List;

/** A subscriber of a feed. Every method is called on the feed's executor, in stream order. */
public interface FeedListener {
    /** The subscription is in place: called once, before any message or gap. */
    void onAttached(Attachment attachment);

    /** Messages with consecutive seqs, each larger than everything given before. */
    void onMessages(List<Message> messages);

    /** Seqs {@code from..to} are no longer in history and will never be given. */
    void onGap(long from, long to);

    /** The subscription could not be made (the region is unavailable). Nothing else follows. */
    void onFailure(Throwable cause);

    /** False while the transport's queue is too full to take a page of history; catch-up waits for room. */
    boolean hasRoom();
}
