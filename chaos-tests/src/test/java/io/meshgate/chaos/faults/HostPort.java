package io.meshgate.chaos.faults;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** A Toxiproxy address string, {@code host:port} (IPv6 hosts in brackets), as used for {@code listen} and {@code upstream}. */
record HostPort(String host, int port) {
    static HostPort parse(String field, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new ApiError(400, field + " is not host:port: " + value);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException("out of range");
            }
            return new HostPort(host, port);
        } catch (NumberFormatException e) {
            throw new ApiError(400, field + " has a bad port: " + value);
        }
    }

    /** Resolves now; an empty host means every interface, as in Go's net.Listen. */
    InetSocketAddress resolve() throws UnknownHostException {
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** The address as Toxiproxy reports a bound listener: numeric host and the real port. */
    static String format(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
