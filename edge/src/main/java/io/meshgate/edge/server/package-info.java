/**
 * Bootstrap: {@link io.meshgate.edge.server.EdgeServer} builds the Undertow handler chain for one edge;
 * {@link io.meshgate.edge.server.EdgeNode} composes a whole node: a {@link io.meshgate.relay.node.RelayNode} and the
 * edge on top of it (delivery, sessions, transports), and stops them in the reverse order.
 */
package io.meshgate.edge.server;
