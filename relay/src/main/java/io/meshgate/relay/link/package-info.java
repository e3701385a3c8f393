/**
 * The relay's gRPC face. Each node serves {@code Relay}: a bidirectional {@code Link} stream (hello, heartbeats with
 * RTT echo; deliveries and ranges travel on it once regions are meshed) and {@code FetchRange}, which answers
 * history reads from this region's store so a client can resume anywhere.
 */
package io.meshgate.relay.link;
