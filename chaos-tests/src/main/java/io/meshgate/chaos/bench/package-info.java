/**
 * The load generator: measures publish-to-deliver latency and delivery rate, and server heap per idle WebSocket
 * connection, against a running region (given by URLs) or a 2-node region it starts itself, the same through the
 * Java client while a node is drained, and latency and throughput across regions on three regions joined by the
 * relay mesh that it starts itself, with emulated link latency. It speaks protocol v1 over real loopback sockets with
 * the JDK's WebSocket and HTTP clients, or through {@code io.meshgate.client}, and writes its figures to a file; it
 * asserts nothing.
 */
package io.meshgate.chaos.bench;
