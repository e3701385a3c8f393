/**
 * The rules both transports share: what a valid publish, subscribe position and channel are, who may do what, and
 * how a publish becomes an ack or a nack. WebSocket and long-poll differ only in how frames travel.
 */
package io.meshgate.edge.session;
