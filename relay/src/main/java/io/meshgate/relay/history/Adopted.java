package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A reconciled channel as its new home adopted it: what readers here had not seen, and the routes to send it to. */
public record Adopted(List<Message> newlyVisible, Set<UUID> routes) implements Serializable {
}
