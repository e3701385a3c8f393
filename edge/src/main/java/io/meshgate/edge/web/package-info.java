/**
 * The static files every edge serves: the JavaScript client library at {@code /client.js} (so a page needs no
 * build step or package registry) and the demo page at {@code /demo}. They are read from this package's classpath
 * resources once at start and answered from memory with an ETag.
 */
package io.meshgate.edge.web;
