package io.meshgate.client;

/** One entry of {@code GET /v1/regions}: the answering region's view of a region. */
record ListedRegion(String name, String wsUrl, String httpUrl, boolean healthy) {
}
