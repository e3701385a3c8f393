package io.meshgate.edge.delivery;

/**
 * What a subscriber learns when it attaches: the channel's epoch and head at that moment, and whether everything
 * after its resume position is still held ({@code recovered}).
 */
public record Attachment(String epoch, long head, boolean recovered) {
}
