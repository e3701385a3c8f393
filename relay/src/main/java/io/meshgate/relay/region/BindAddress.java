package io.meshgate.relay.region;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What kind of network an address a port binds belongs to. A port bound to loopback is reachable only from this
 * machine, so it may go without peer authentication; anything else must authenticate its peers or, for the
 * Hazelcast port that cannot, be on a private network.
 */
public final class BindAddress {
    private BindAddress() {
    }

    /** True for 127.0.0.0/8, ::1 and names that resolve only to those; false for wildcards and anything else. */
    public static boolean isLoopback(String host) {
        InetAddress address = resolve(host);
        return address != null && address.isLoopbackAddress();
    }

    /** True for a wildcard bind (0.0.0.0, ::), which listens on every interface, public ones included. */
    public static boolean isWildcard(String host) {
        InetAddress address = resolve(host);
        return address != null && address.isAnyLocalAddress();
    }

    /**
     * True for loopback and private-network addresses: IPv4 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade
     * NAT, used by overlay networks), link-local, and IPv6 unique-local fc00::/7 and link-local fe80::/10.
     */
    public static boolean isPrivate(String host) {
        InetAddress address = resolve(host);
        if (address == null || address.isAnyLocalAddress()) {
            return false;
        }
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
        }
        return (bytes[0] & 0xfe) == 0xfc;
    }

    private static InetAddress resolve(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
