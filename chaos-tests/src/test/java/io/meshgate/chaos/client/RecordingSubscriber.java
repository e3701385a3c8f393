package io.meshgate.chaos.client;

import io.meshgate.client.ConnectionState;
import io.meshgate.client.Message;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.StateEvent;
import io.meshgate.client.Subscription;

import java.util.ArrayList;
import java.util.List;

/**
 * A subscriber as an application would write one with the client: it connects, subscribes and records every message
 * the client hands it, in order, with every state event and gap; reconnecting and resuming is the client's job.
 */
public final class RecordingSubscriber implements AutoCloseable {
    private final MeshgateClient client;
    private final Subscription subscription;
    private final List<Message> received = new ArrayList<>();
    private final List<StateEvent> states = new ArrayList<>();
    private final List<long[]> gaps = new ArrayList<>();

    public RecordingSubscriber(MeshgateClient client, String channel) {
        this.client = client;
        client.onState(event -> {
            synchronized (states) {
                states.add(event);
            }
        });
        client.onGap(gap -> {
            synchronized (gaps) {
                gaps.add(new long[] {gap.from(), gap.to()});
            }
        });
        this.subscription = client.subscribe(channel, message -> {
            synchronized (received) {
                received.add(message);
            }
        });
        client.connect();
    }

    public MeshgateClient client() {
        return client;
    }

    /** The server has answered the subscription (it has a starting position). */
    public boolean subscribed() {
        return subscription.subscribed().isDone() && !subscription.subscribed().isCompletedExceptionally();
    }

    public List<Message> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    /** The {@code gap}s the server sent ({@code from}, {@code to}): acked messages inside one were not delivered. */
    public List<long[]> gaps() {
        synchronized (gaps) {
            return new ArrayList<>(gaps);
        }
    }

    /** The seq of the last message received, or -1 before any. */
    public long lastSeq() {
        synchronized (received) {
            return received.isEmpty() ? -1 : received.get(received.size() - 1).seq();
        }
    }

    public List<StateEvent> states() {
        synchronized (states) {
            return new ArrayList<>(states);
        }
    }

    /** Connections after the first one. */
    public int reconnects() {
        return (int) Math.max(0, states().stream().filter(e -> e.state() == ConnectionState.CONNECTED).count() - 1);
    }

    @Override
    public void close() {
        client.close();
    }
}
