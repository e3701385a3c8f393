package io.meshgate.relay.history;

import java.io.Serializable;

/**
 * A region's answer to a reconciling home: whether it promised the fence, the fence it holds now, its durable mark,
 * and what it holds of the channel (undurable messages included).
 */
public record FenceResult(boolean granted, long fence, long durable, Range held) implements Serializable {
}
