/**
 * Bootstrap: {@link io.meshgate.edge.server.EdgeServer} builds the Undertow handler chain for one edge;
 * {@link io.meshgate.edge.server.EdgeNode} assembles a whole node (region member, relay, delivery, edge) and stops it
 * in the reverse order.
 */
package io.meshgate.edge.server;
