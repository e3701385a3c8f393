package io.meshgate.relay.history;

import java.io.Serializable;

/** One message to sequence: the publisher's id (unique per channel) and its data as compact JSON text. */
public record PublishRequest(String id, String dataJson) implements Serializable {
}
