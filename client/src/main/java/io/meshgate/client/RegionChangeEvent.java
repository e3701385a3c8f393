package io.meshgate.client;

import java.time.Duration;
import java.util.Map;

/**
 * The client is now connected to another region than before ({@code from} is null on the first connection).
 *
 * @param rtts every reachable region's median RTT at the last ranking, lowest first (empty when the ranking could not
 *             measure any region and the client used the seed's region)
 */
public record RegionChangeEvent(String from, String to, Map<String, Duration> rtts) {
}
