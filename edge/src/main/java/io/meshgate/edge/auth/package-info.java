/**
 * Who a client is and what it may do: {@link io.meshgate.edge.auth.TokenVerifier} turns the JWT of a WebSocket
 * {@code connect} or a long-poll {@code Authorization: Bearer} header into a {@link io.meshgate.edge.auth.Principal}
 * whose channel patterns answer every later subscribe and publish check. Verification is pure CPU work with no I/O,
 * so transports call it on their I/O threads; both transports use this one package so the rules exist once.
 */
package io.meshgate.edge.auth;
