package io.meshgate.edge.websocket;

import io.meshgate.edge.delivery.Attachment;
import io.meshgate.edge.delivery.FeedListener;
import io.meshgate.edge.delivery.FeedSubscription;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.meshgate.edge.protocol.EncodedMessage;

import java.util.List;

/**
 * One channel subscription of one WebSocket. Writes {@code subscribed}, {@code gap} and {@code msg} frames in the
 * order the feed gives them. After {@link #end} nothing more is written, so {@code unsubscribed} is the last frame
 * of the channel on the connection.
 */
final class WsSubscription implements FeedListener {
    private final String channel;
    private final WsConnection connection;
    private final Runnable onFailed;
    private FeedSubscription feed;
    private boolean ended;

    WsSubscription(String channel, WsConnection connection, Runnable onFailed) {
        this.channel = channel;
        this.connection = connection;
        this.onFailed = onFailed;
    }

    void bind(FeedSubscription feedSubscription) {
        this.feed = feedSubscription;
    }

    /** Stops delivery; {@code lastFrame} (may be null) is written after everything already given. */
    synchronized void end(String lastFrame) {
        ended = true;
        if (feed != null) {
            feed.close();
        }
        if (lastFrame != null) {
            connection.send(lastFrame);
        }
    }

    @Override
    public synchronized void onAttached(Attachment a) {
        if (!ended) {
            connection.send(Frames.subscribed(channel, a.epoch(), a.head(), a.recovered()));
        }
    }

    @Override
    public synchronized void onMessages(List<EncodedMessage> messages) {
        if (ended) {
            return;
        }
        for (EncodedMessage m : messages) {
            if (!connection.send(m)) {
                return;
            }
        }
    }

    @Override
    public synchronized void onGap(long from, long to) {
        if (!ended) {
            connection.send(Frames.gap(channel, from, to));
        }
    }

    @Override
    public synchronized void onFailure(Throwable cause) {
        if (!ended) {
            ended = true;
            io.meshgate.relay.history.ChannelLimitException limit =
                    io.meshgate.relay.history.ChannelLimitException.in(cause);
            connection.send(Frames.error(ErrorCode.UNAVAILABLE, channel, limit != null ? limit.getMessage()
                    : "could not subscribe now; the region is unavailable, retry later"));
            onFailed.run();
        }
    }

    @Override
    public synchronized void onSlowConsumer() {
        ended = true;
        connection.closeSlowConsumer();
    }

    @Override
    public boolean hasRoom() {
        return connection.hasRoom();
    }
}
