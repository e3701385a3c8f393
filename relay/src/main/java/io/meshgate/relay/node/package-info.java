/**
 * The relay as one part: {@link io.meshgate.relay.node.RelayNode} builds, starts and stops the region member
 * (Hazelcast), the channel store, sequencing, fan-out, the mesh and the relay's gRPC server from one validated
 * {@link io.meshgate.relay.node.RelaySettings}, and offers the edge only narrow interfaces.
 */
package io.meshgate.relay.node;
