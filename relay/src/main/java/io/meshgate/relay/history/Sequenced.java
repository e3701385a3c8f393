package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;

import java.io.Serializable;

/**
 * What became of one {@link PublishRequest}. A duplicate carries the original position; its message is set only
 * while history still holds it (it is fanned out again, so a subscriber that missed it because the first publisher
 * died before fanning out still gets it; subscribers drop repeated seqs).
 */
public record Sequenced(Position position, Message message, boolean duplicate) implements Serializable {
}
