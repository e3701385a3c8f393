/**
 * The relay's gRPC face. Each node serves {@code Relay}: a bidirectional {@code Link} stream (hello, heartbeats with
 * RTT echo; deliveries and ranges travel on it once regions are meshed) and {@code FetchRange}, which answers
 * history reads from this region's store so a client can resume anywhere. {@link io.meshgate.relay.link.LinkTls} gives
 * links mutual TLS: both ends present a certificate, and each accepts only a peer certified by the mesh's CA.
 */
package io.meshgate.relay.link;
