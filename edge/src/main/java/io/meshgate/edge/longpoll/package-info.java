/**
 * The HTTP long-poll transport: {@code GET /v1/poll} and {@code POST /v1/publish}. Stateless: positions travel in
 * the request, so any node of any region answers any request. A waiting poll holds no thread: the exchange is
 * parked and woken by a feed waiter or its timeout on the connection's I/O thread.
 */
package io.meshgate.edge.longpoll;
