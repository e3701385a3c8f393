package io.meshgate.relay.history;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The answer of one sequencing step: an outcome per request, in request order, and the region members that had
 * subscribers of the channel at that moment (read in the same atomic step, so a subscriber whose route was added
 * before a message was sequenced is always among them).
 */
public record SequenceResult(List<Sequenced> outcomes, Set<UUID> routes) implements Serializable {
}
