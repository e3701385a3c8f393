/**
 * The global relay mesh: links between regions, home-region selection, forwarding of publishes to the home,
 * replication to interested regions, interest exchange, RTT measurement and relaying around a broken link.
 */
package io.meshgate.relay.mesh;
