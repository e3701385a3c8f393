/**
 * The relay's gRPC face. Each node serves {@code Relay}: the bidirectional {@code Link} stream between the mesh
 * leaders of two regions, and the unary {@code Forward} by which a node hands a mesh request to its region's leader.
 * {@link io.meshgate.relay.link.RelayService} only checks the caller and hands both to the mesh; it answers no frame
 * itself. {@link io.meshgate.relay.link.LinkTls} gives links mutual TLS: both ends present a certificate, and each
 * accepts only a peer certified by the mesh's CA.
 */
package io.meshgate.relay.link;
