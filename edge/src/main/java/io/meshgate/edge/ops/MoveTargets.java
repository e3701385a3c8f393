package io.meshgate.edge.ops;

import io.meshgate.relay.node.RegionMembers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a draining node sends its clients: another node of the region that is alive and not draining itself, at the
 * WebSocket URL that node announced when it started. The configuration alone cannot say this: it does not know which
 * nodes are up, and a node configured with edge port 0 is reached on a port only it knows.
 *
 * <p>The region's map is writable by anything that joins the cluster, and a {@code move} sends every client (and
 * its token) to the URL it names, so an announced URL is used only when it names a configured node: the same
 * scheme and host, and the configured port unless that is 0 (see docs/security.md). Anything else is logged and
 * skipped.
 */
public final class MoveTargets {
    private static final Logger LOG = LoggerFactory.getLogger(MoveTargets.class);
    /** The kind of the region's per-member note that holds a node's WebSocket URL. */
    private static final String NOTE = "ws";

    private final RegionMembers members;
    private final List<String> configuredPeers;

    /**
     * @param configuredPeers the configuration's other nodes' WebSocket URLs: the only nodes a move may name, and the
     *                        targets while the region's map cannot be read
     */
    public MoveTargets(RegionMembers members, List<String> configuredPeers) {
        this.members = members;
        this.configuredPeers = configuredPeers == null ? List.of() : List.copyOf(configuredPeers);
    }

    /** Offers this node as a move target. */
    public void announce(String wsUrl) {
        members.announce(NOTE, wsUrl);
    }

    /** Stops offering this node (it drains); quiet when the region is already gone. */
    public void withdraw() {
        try {
            members.withdraw(NOTE, members.self());
        } catch (RuntimeException e) {
            LOG.debug("could not withdraw this node as a move target: {}", e.toString());
        }
    }

    /** A member left the region: its announcement goes too (any node may do it; deleting twice is harmless). */
    public void forget(UUID member) {
        try {
            members.withdraw(NOTE, member);
        } catch (RuntimeException e) {
            LOG.debug("could not forget move target {}: {}", member, e.toString());
        }
    }

    /** A live, announced node other than this one, at random; null when there is none (clients pick a region). */
    public String pick() {
        try {
            List<String> candidates = new ArrayList<>();
            for (Map.Entry<UUID, String> announced : members.notesOfOthers(NOTE).entrySet()) {
                String url = announced.getValue();
                if (isConfigured(url)) {
                    candidates.add(url);
                } else {
                    LOG.warn("ignoring move target {} announced by member {}: it is not a configured node", url,
                            announced.getKey());
                }
            }
            return random(candidates);
        } catch (RuntimeException e) {
            LOG.warn("the region's move targets could not be read ({}); using the configured nodes", e.toString());
            return random(configuredPeers);
        }
    }

    /** True when {@code url} names one of the configured nodes (scheme, host, and port unless configured as 0). */
    boolean isConfigured(String url) {
        URI announced;
        try {
            announced = new URI(url);
        } catch (URISyntaxException e) {
            return false;
        }
        for (String peer : configuredPeers) {
            URI configured = URI.create(peer);
            if (configured.getScheme().equalsIgnoreCase(String.valueOf(announced.getScheme()))
                    && configured.getHost().equalsIgnoreCase(String.valueOf(announced.getHost()))
                    && (configured.getPort() == 0 || configured.getPort() == announced.getPort())
                    && "/v1/ws".equals(announced.getRawPath()) && announced.getRawQuery() == null
                    && announced.getRawUserInfo() == null) {
                return true;
            }
        }
        return false;
    }

    private static String random(List<String> urls) {
        return urls.isEmpty() ? null : urls.get(ThreadLocalRandom.current().nextInt(urls.size()));
    }
}
