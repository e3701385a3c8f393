package io.meshgate.edge.discovery;

/** One region as clients see it: where to connect, and whether it is healthy in the answering region's view. */
public record RegionInfo(String name, String wsUrl, String httpUrl, boolean healthy) {
}
