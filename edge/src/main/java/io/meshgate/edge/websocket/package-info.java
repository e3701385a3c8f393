/**
 * The WebSocket transport at {@code /v1/ws}. One {@link io.meshgate.edge.websocket.WsConnection} per socket owns
 * its bounded outbound queue and close handshake; {@link io.meshgate.edge.websocket.WsSession} runs protocol v1 on
 * it, on the connection's I/O thread, handing every blocking step to the relay asynchronously.
 */
package io.meshgate.edge.websocket;
