package io.meshgate.edge.delivery;

import io.meshgate.edge.protocol.EncodedMessage;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.history.Range;

import java.util.List;

/**
 * One subscriber's place in a channel's stream on this node: its cursor (the last seq it was given), and the
 * pacing that keeps its transport's queue from overflowing. When it is behind the feed, because it just attached or
 * its queue had no room, it catches up from history in pages, a page only when there is room. Owned by its feed's
 * executor, like everything of the feed.
 */
final class Follower {
    private final ChannelFeed feed;
    final FeedListener listener;
    /**
     * False until its attach read is in: until then its cursor is not known (a resume position, or the head for a
     * live subscriber), and nothing may be written before {@code subscribed}. Whatever the feed emits meanwhile is
     * caught up from history afterwards.
     */
    private boolean attached;
    private long cursor;
    private boolean catchingUp;
    /** When the transport last turned out to have no room, or 0 while it has room. */
    private long noRoomSinceMs;

    Follower(ChannelFeed feed, FeedListener listener) {
        this.feed = feed;
        this.listener = listener;
    }

    /** The attach read is in: tell the subscriber where it stands, give what was read, and catch up the rest. */
    void onAttachRead(Long fromSeq, Range range) {
        attached = true;
        if (fromSeq == null) {
            cursor = range.head();
            listener.onAttached(new Attachment(range.epoch(), range.head(), false));
        } else {
            long from = Math.max(fromSeq, 0);
            boolean aheadOfHead = from > range.head();
            listener.onAttached(new Attachment(range.epoch(), range.head(), !aheadOfHead && !range.hasGap()));
            cursor = from;
            giveRange(range);
        }
        if (cursor < Math.max(feed.delivered(), range.head())) {
            startCatchUp();
        }
    }

    /** Contiguous live messages from the feed. */
    void giveLive(List<EncodedMessage> run) {
        if (!attached || catchingUp || run.isEmpty()) {
            return;
        }
        int start = 0;
        while (start < run.size() && run.get(start).seq() <= cursor) {
            start++;
        }
        if (start == run.size()) {
            return;
        }
        if (run.get(start).seq() != cursor + 1) {
            startCatchUp();
            return;
        }
        // Live messages are paced like history: what does not fit now is read from history once there is room,
        // so a burst (a batch of up to publish.batchMax messages) never overflows a reader that keeps up.
        int end = start;
        while (end < run.size() && listener.hasRoom()) {
            listener.onMessages(List.of(run.get(end)));
            cursor = run.get(end).seq();
            end++;
        }
        if (end < run.size()) {
            startCatchUp();
        }
    }

    /**
     * Gives a history read (attach or catch-up page), one message at a time while the transport has room. A page can
     * hold more than a whole outbound queue (200 messages of up to 64 KiB), so giving it at once would close a
     * subscriber that reads perfectly well with 4008, again on every resume; what does not fit now is read again by
     * the next catch-up page, once there is room.
     *
     * @return true when it stopped for lack of room (so the caller must keep catching up)
     */
    private boolean giveRange(Range range) {
        if (range.hasGap() && range.gapTo() > cursor) {
            giveGap(Math.max(range.gapFrom(), cursor + 1), range.gapTo());
        }
        for (Message m : range.messages()) {
            if (m.seq() <= cursor) {
                continue;
            }
            if (m.seq() != cursor + 1) {
                return false;
            }
            if (!listener.hasRoom()) {
                return true;
            }
            cursor = m.seq();
            listener.onMessages(List.of(feed.registry().frames().of(m)));
        }
        return false;
    }

    /** Seqs {@code from..to} are gone from history; the subscriber is told once and moves past them. */
    void giveGap(long from, long to) {
        if (!attached || to <= cursor) {
            return;
        }
        listener.onGap(Math.max(from, cursor + 1), to);
        cursor = to;
    }

    private void startCatchUp() {
        if (catchingUp) {
            return;
        }
        catchingUp = true;
        catchUpPage();
    }

    private void catchUpPage() {
        if (!feed.isFollowedBy(this)) {
            return;
        }
        if (!listener.hasRoom()) {
            long now = feed.registry().clock().millis();
            if (noRoomSinceMs == 0) {
                noRoomSinceMs = now;
            } else if (now - noRoomSinceMs >= feed.registry().settings().slowConsumerMs()) {
                feed.dropSlow(this);
                return;
            }
            feed.registry().schedule(() -> feed.submit(this::catchUpPage), 20);
            return;
        }
        noRoomSinceMs = 0;
        long from = cursor;
        feed.registry().store().readNear(feed.channel, from, feed.registry().settings().pageSize())
                .whenCompleteAsync((range, failure) -> {
                    if (!feed.isFollowedBy(this)) {
                        return;
                    }
                    if (failure != null) {
                        feed.registry().schedule(() -> feed.submit(this::catchUpPage), 200);
                        return;
                    }
                    catchingUp = false;
                    boolean outOfRoom = giveRange(range);
                    boolean progressed = cursor > from;
                    // Behind and either moving or only waiting for room: go on (catchUpPage waits for room itself).
                    // Asking hasRoom() again here would race with the queue draining and stop catch-up for good.
                    if (cursor < Math.max(feed.delivered(), range.head()) && (progressed || outOfRoom)) {
                        catchingUp = true;
                        catchUpPage();
                    }
                }, feed.executor);
    }
}
