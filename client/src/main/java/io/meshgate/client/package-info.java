/**
 * The Java client of Meshgate's protocol v1 ({@code docs/clients.md}): {@link io.meshgate.client.MeshgateClient}
 * picks the region with the lowest RTT, reconnects with backoff (falling back to long-poll where WebSocket is
 * blocked), resumes every subscription from its last position and retries unacknowledged publishes with the same id,
 * so the application sees each message once, in order.
 *
 * <p>Threads: one conductor thread per client owns all protocol state (connection, positions, outbox); a second
 * thread per client runs the application's callbacks and completes its futures, in order. Everything else in this
 * package is package-private.
 */
package io.meshgate.client;
