/**
 * Region discovery and latency probing: {@code /v1/regions} lists the regions this edge knows and their health,
 * {@code /v1/ping} is the cheapest possible answer for clients measuring RTT.
 */
package io.meshgate.edge.discovery;
