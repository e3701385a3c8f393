/**
 * Protocol v1 on the wire: the JSON objects both transports carry, the error codes and the close codes. Frames are
 * written here and nowhere else, so field names cannot drift between WebSocket and long-poll.
 */
package io.meshgate.edge.protocol;
