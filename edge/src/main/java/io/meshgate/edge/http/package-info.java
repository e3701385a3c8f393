/** Small HTTP helpers shared by the edge's handlers: JSON replies, CORS, bearer tokens. */
package io.meshgate.edge.http;
