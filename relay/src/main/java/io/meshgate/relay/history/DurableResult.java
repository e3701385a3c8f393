package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A raised durable mark: the mark, the messages it made deliverable (in seq order) and the routes at that moment. */
public record DurableResult(long durable, List<Message> newlyDurable, Set<UUID> routes) implements Serializable {
}
