package io.meshgate.edge.ops;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.util.Locale;
import java.util.Set;

/**
 * Tells operator requests from requests a browser makes on a web page's behalf. Operators' tools (curl, the CLI,
 * Prometheus) send no {@code Origin} and address the node by a name it answers to; a page that posts to the node
 * sends its own {@code Origin} (and {@code Sec-Fetch-Site: cross-site}), and a DNS-rebinding page sends its own
 * domain as {@code Host}. Stateless; called on any thread.
 */
public final class BrowserGuard {
    private static final HttpString SEC_FETCH_SITE = new HttpString("Sec-Fetch-Site");

    private final Set<String> hosts;

    /** @param hosts host names (without port) this node answers to; loopback names are always added */
    public BrowserGuard(Set<String> hosts) {
        java.util.Set<String> all = new java.util.HashSet<>();
        hosts.forEach(h -> all.add(h.toLowerCase(Locale.ROOT)));
        all.addAll(Set.of("localhost", "127.0.0.1", "[::1]"));
        this.hosts = Set.copyOf(all);
    }

    /** Null for an operator's request; otherwise why it looks browser-borne. */
    public String refusal(HttpServerExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin != null) {
            return "admin calls refuse requests with an Origin header (" + origin + "): browsers send it for pages";
        }
        String site = exchange.getRequestHeaders().getFirst(SEC_FETCH_SITE);
        if (site != null && !site.equalsIgnoreCase("none") && !site.equalsIgnoreCase("same-origin")) {
            return "admin calls refuse cross-site browser requests (Sec-Fetch-Site: " + site + ")";
        }
        String host = hostName(exchange.getRequestHeaders().getFirst(Headers.HOST));
        if (host == null || !hosts.contains(host)) {
            return "admin calls must address this node by its own name, not Host " + host;
        }
        return null;
    }

    /**
     * Null for a request the read-only status page may answer; otherwise why not. The page is meant for browsers,
     * so an {@code Origin} is fine when it names this node (the page's own stream); a cross-site request or a
     * foreign {@code Host} (DNS rebinding) is not.
     */
    public String pageRefusal(HttpServerExchange exchange) {
        String site = exchange.getRequestHeaders().getFirst(SEC_FETCH_SITE);
        if (site != null && !site.equalsIgnoreCase("none") && !site.equalsIgnoreCase("same-origin")) {
            return "the status page refuses cross-site browser requests (Sec-Fetch-Site: " + site + ")";
        }
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin != null) {
            String originHost;
            try {
                originHost = java.net.URI.create(origin).getHost();
            } catch (IllegalArgumentException e) {
                originHost = null;
            }
            if (originHost == null || !hosts.contains(originHost.toLowerCase(Locale.ROOT))) {
                return "the status page refuses requests from other origins (" + origin + ")";
            }
        }
        String host = hostName(exchange.getRequestHeaders().getFirst(Headers.HOST));
        if (host == null || !hosts.contains(host)) {
            return "the status page must be addressed by this node's own name, not Host " + host;
        }
        return null;
    }

    private static String hostName(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return null;
        }
        String value = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            return close < 0 ? value : value.substring(0, close + 1);
        }
        int colon = value.lastIndexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }
}
