package io.meshgate.client;

import java.time.Duration;

/**
 * A region the client may connect to, with its median RTT ({@code null} when it was not measured: the fallback to
 * the seed's region when no probe succeeded, or a {@code move} target).
 */
record RankedRegion(String name, String wsUrl, String httpUrl, Duration rtt) {
}
