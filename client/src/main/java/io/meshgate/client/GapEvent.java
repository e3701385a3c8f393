package io.meshgate.client;

/**
 * Messages {@code from}..{@code to} of {@code channel} are gone from the server's history (the subscription resumed
 * from a position older than the history holds); delivery continues after {@code to}.
 */
public record GapEvent(String channel, long from, long to) {
}
