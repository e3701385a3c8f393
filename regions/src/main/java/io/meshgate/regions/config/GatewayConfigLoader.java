package io.meshgate.regions.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.delivery.FeedSettings;
import io.meshgate.edge.server.EdgeGuards;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.server.TlsSettings;
import io.meshgate.edge.session.Limits;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.link.LinkTls;
import io.meshgate.relay.link.LinkTlsSettings;
import io.meshgate.relay.mesh.Durability;
import io.meshgate.relay.region.ClusterSecret;
import io.meshgate.relay.region.HazelcastSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the YAML configuration. Defaults live here and in docs/configuration.md, which must say the same.
 * Paths to key files are relative to the configuration file.
 */
public final class GatewayConfigLoader {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final int MAX_PORT = 65535;
    private static final Pattern HOST_PORT = Pattern.compile("^[A-Za-z0-9.\\-]+:\\d{1,5}$");
    /** A host name of dot-separated labels, such as a Service's {@code name.namespace.svc.cluster.local}. */
    private static final Pattern DNS_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$");
    private static final Pattern IP_LITERAL = Pattern.compile("^(\\d{1,3}(\\.\\d{1,3}){3}|\\[?[0-9a-fA-F:]*:[0-9a-fA-F:.]*]?)$");

    private GatewayConfigLoader() {
    }

    public static GatewayConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toAbsolutePath().getParent());
    }

    public static GatewayConfig parse(String yaml, Path baseDir) {
        JsonNode tree;
        try {
            tree = new YAMLMapper().readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("configuration is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException("configuration is empty; it needs at least 'regions' (see docs/configuration.md)");
        }
        ConfigNode root = new ConfigNode(tree, "");
        List<GatewayConfig.RegionConfig> regions = regions(root);
        AuthSettings auth = auth(root.section("auth"), baseDir);
        HistoryLimits history = history(root.section("history"));
        ConfigNode limitsNode = root.section("limits");
        Limits defaults = Limits.DEFAULTS;
        Limits limits = new Limits(
                limitsNode.integer("maxDataBytes", defaults.maxDataBytes(), 1024, 16 * 1024 * 1024),
                limitsNode.integer("maxIdChars", defaults.maxIdChars(), 16, 4096),
                limitsNode.integer("maxChannelsPerConnection", defaults.maxChannelsPerConnection(), 1, 100_000));
        GatewayConfig.EdgeTuning edge = edgeTuning(limitsNode, root.section("websocket"), root.section("longPoll"),
                root.section("drain"), root.section("admin"), baseDir);
        limitsNode.rejectUnknown();
        FeedSettings delivery = delivery(root.section("delivery"));
        ConfigNode cluster = root.section("cluster");
        int backupCount = cluster.integer("backupCount", 1, 0, 6);
        long backupAckTimeoutMs = cluster.number("backupAckTimeoutMs",
                HazelcastSettings.DEFAULT_BACKUP_ACK_TIMEOUT_MS, 100, 600_000);
        long memberTimeoutMs = cluster.number("memberTimeoutMs", HazelcastSettings.DEFAULT_MEMBER_TIMEOUT_MS, 2_000,
                600_000);
        ClusterSecret clusterSecret = clusterSecret(cluster, baseDir);
        cluster.rejectUnknown();
        ConfigNode publish = root.section("publish");
        int batchMax = publish.integer("batchMax", 256, 1, 10_000);
        int queueMax = publish.integer("queueMax", 10_000, 1, 1_000_000);
        publish.rejectUnknown();
        TlsSettings tls = tls(root.section("tls"), baseDir);
        GatewayConfig.MeshConfig mesh = mesh(root.section("mesh"), regions, baseDir);
        root.rejectUnknown();
        return new GatewayConfig(regions, auth, history, limits, edge, delivery, backupCount, backupAckTimeoutMs,
                memberTimeoutMs, batchMax, queueMax, tls, mesh, clusterSecret);
    }

    private static List<GatewayConfig.RegionConfig> regions(ConfigNode root) {
        List<ConfigNode> regionNodes = root.sections("regions");
        if (regionNodes.isEmpty()) {
            throw new ConfigException("config key 'regions' is required: a list with at least one region");
        }
        List<GatewayConfig.RegionConfig> regions = new ArrayList<>();
        Set<String> nodeNames = new HashSet<>();
        Set<String> regionNames = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (int r = 0; r < regionNodes.size(); r++) {
            ConfigNode region = regionNodes.get(r);
            String name = name(region, "name");
            if (!regionNames.add(name)) {
                throw new ConfigException("config key '" + region.path("name") + "': region name " + name
                        + " is used twice");
            }
            String publicUrl = region.string("publicUrl", null);
            if (publicUrl != null && !publicUrl.startsWith("http://") && !publicUrl.startsWith("https://")) {
                throw new ConfigException("config key '" + region.path("publicUrl")
                        + "' must start with http:// or https://");
            }
            String serviceDns = region.string("kubernetesServiceDns", null);
            if (serviceDns != null && !DNS_NAME.matcher(serviceDns).matches()) {
                throw new ConfigException("config key '" + region.path("kubernetesServiceDns")
                        + "' must be a DNS name (the region's headless Service), got '" + serviceDns + "'");
            }
            List<GatewayConfig.NodeConfig> nodes = new ArrayList<>();
            List<ConfigNode> nodeNodes = region.sections("nodes");
            if (nodeNodes.isEmpty()) {
                throw new ConfigException("config key '" + region.path("nodes") + "' needs at least one node");
            }
            for (ConfigNode node : nodeNodes) {
                String nodeName = name(node, "name");
                if (!nodeNames.add(nodeName)) {
                    throw new ConfigException("config key '" + node.path("name") + "': node name " + nodeName
                            + " is used twice");
                }
                String host = node.string("host", "127.0.0.1");
                // A name cannot be bound on every machine it might resolve to: bind everything unless told.
                String bindHost = node.string("bindHost", IP_LITERAL.matcher(host).matches() ? host : "0.0.0.0");
                if (!IP_LITERAL.matcher(bindHost).matches()) {
                    throw new ConfigException("config key '" + node.path("bindHost")
                            + "' must be an IP address of this machine or 0.0.0.0, got '" + bindHost + "'");
                }
                // Hazelcast cannot authenticate members, so its port may bind a narrower address than the edge.
                String clusterBindHost = node.string("clusterBindHost", bindHost);
                if (!IP_LITERAL.matcher(clusterBindHost).matches()) {
                    throw new ConfigException("config key '" + node.path("clusterBindHost")
                            + "' must be an IP address of a private interface of this machine or 127.0.0.1, got '"
                            + clusterBindHost + "'");
                }
                int edgePort = node.integer("edgePort", 8081, 0, MAX_PORT);
                int adminPort = node.integer("adminPort", -1, 0, MAX_PORT);
                int relayPort = node.integer("relayPort", 9081, 0, MAX_PORT);
                int clusterPort = node.integer("clusterPort", 5701, 1, MAX_PORT);
                for (int[] pair : new int[][] {{edgePort, 0}, {relayPort, 1}, {clusterPort, 2}}) {
                    String key = new String[] {"edgePort", "relayPort", "clusterPort"}[pair[1]];
                    if (pair[0] != 0 && !endpoints.add(host + ":" + pair[0])) {
                        throw new ConfigException("config key '" + node.path(key) + "': " + host + ":" + pair[0]
                                + " is already used by another port of the configuration");
                    }
                }
                String relayAdvertise = node.string("relayAdvertise", null);
                if (relayAdvertise != null && !HOST_PORT.matcher(relayAdvertise).matches()) {
                    throw new ConfigException("config key '" + node.path("relayAdvertise")
                            + "' must be host:port, got '" + relayAdvertise + "'");
                }
                node.rejectUnknown();
                nodes.add(new GatewayConfig.NodeConfig(nodeName, host, bindHost, edgePort, relayPort, clusterPort,
                        relayAdvertise, clusterBindHost, adminPort));
            }
            region.rejectUnknown();
            regions.add(new GatewayConfig.RegionConfig(name, publicUrl, List.copyOf(nodes), serviceDns));
        }
        return List.copyOf(regions);
    }

    /**
     * A cluster bind address given outside the file ({@code node --cluster-bind-host}): an IP literal, like the
     * {@code clusterBindHost} key; whether it is private is checked as the node starts, as for the key.
     */
    static String clusterBindHost(String host, String source) {
        if (host == null || !IP_LITERAL.matcher(host).matches()) {
            throw new ConfigException(source + " must be an IP address of a private interface of this machine or"
                    + " 127.0.0.1, got '" + host + "'");
        }
        return host;
    }

    private static String name(ConfigNode node, String key) {
        String name = node.requiredString(key);
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException("config key '" + node.path(key) + "' must be lower-case letters, digits and"
                    + " '-' (at most 63), got '" + name + "'");
        }
        return name;
    }

    private static AuthSettings auth(ConfigNode auth, Path baseDir) {
        String mode = auth.string("mode", AuthSettings.MODE_JWT);
        String secret = auth.string("hs256Secret", null);
        String secretFile = auth.string("hs256SecretFile", null);
        if (secret != null && secretFile != null) {
            throw new ConfigException("config keys 'auth.hs256Secret' and 'auth.hs256SecretFile' exclude each other");
        }
        if (secretFile != null) {
            secret = readFile(baseDir, secretFile, "auth.hs256SecretFile").strip();
        }
        List<String> rsa = new ArrayList<>(auth.strings("rsaPublicKeys"));
        for (String f : auth.strings("rsaPublicKeyFiles")) {
            rsa.add(readFile(baseDir, f, "auth.rsaPublicKeyFiles"));
        }
        List<String> ec = new ArrayList<>(auth.strings("ecPublicKeys"));
        for (String f : auth.strings("ecPublicKeyFiles")) {
            ec.add(readFile(baseDir, f, "auth.ecPublicKeyFiles"));
        }
        long skew = auth.number("clockSkewSeconds", AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS, 0,
                AuthSettings.MAX_CLOCK_SKEW_SECONDS);
        auth.rejectUnknown();
        try {
            return new AuthSettings(mode, secret, rsa, ec, skew);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /** Either certFile + keyFile (PEM) or keystoreFile (+ keystorePassword); none means plain HTTP. */
    private static TlsSettings tls(ConfigNode tls, Path baseDir) {
        String cert = tls.string("certFile", null);
        String key = tls.string("keyFile", null);
        String keystore = tls.string("keystoreFile", null);
        String password = tls.string("keystorePassword", null);
        tls.rejectUnknown();
        if (keystore != null) {
            if (cert != null || key != null) {
                throw new ConfigException("config key 'tls.keystoreFile' excludes 'tls.certFile' and 'tls.keyFile'");
            }
            return TlsSettings.pkcs12(existing(baseDir, keystore, "tls.keystoreFile"), password);
        }
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new ConfigException("config keys 'tls.certFile' and 'tls.keyFile' go together; "
                    + (cert == null ? "tls.certFile" : "tls.keyFile") + " is missing");
        }
        return TlsSettings.pem(existing(baseDir, cert, "tls.certFile"), existing(baseDir, key, "tls.keyFile"));
    }

    private static GatewayConfig.MeshConfig mesh(ConfigNode mesh, List<GatewayConfig.RegionConfig> regions,
                                                 Path baseDir) {
        String durabilityText = mesh.string("durability", "region");
        Durability durability;
        if (durabilityText.equals("region")) {
            durability = Durability.REGION;
        } else if (durabilityText.equals("local")) {
            durability = Durability.LOCAL;
        } else {
            throw new ConfigException("config key 'mesh.durability' must be 'region' or 'local', got '"
                    + durabilityText + "'");
        }
        long heartbeatMs = mesh.number("heartbeatMs", 500, 50, 60_000);
        int downAfterMissed = mesh.integer("downAfterMissed", 4, 1, 100);
        int upAfterGood = mesh.integer("upAfterGood", 2, 1, 100);
        int linkQueueMax = mesh.integer("linkQueueMax", 10_000, 16, 1_000_000);
        long requestTimeoutMs = mesh.number("requestTimeoutMs", 5_000, 100, 600_000);
        long reconnectMaxMs = mesh.number("reconnectMaxMs", 5_000, 200, 600_000);
        long failbackHoldMs = mesh.number("failbackHoldMs", 2_000, 0, 600_000);
        Set<String> names = new HashSet<>();
        regions.forEach(r -> names.add(r.name()));
        java.util.Map<String, Long> emulated = new java.util.TreeMap<>();
        for (ConfigNode latency : mesh.sections("emulatedLatency")) {
            List<String> between = latency.strings("between");
            if (between.size() != 2 || between.get(0).equals(between.get(1)) || !names.containsAll(between)) {
                throw new ConfigException("config key '" + latency.path("between")
                        + "' must name two different configured regions, got " + between);
            }
            long rtt = latency.number("rttMs", 0, 0, 10_000);
            latency.rejectUnknown();
            emulated.put(GatewayConfig.MeshConfig.pairKey(between.get(0), between.get(1)), rtt);
        }
        ConfigNode tlsNode = mesh.section("tls");
        String cert = tlsNode.string("certChainFile", null);
        String key = tlsNode.string("privateKeyFile", null);
        String trust = tlsNode.string("trustCaFile", null);
        tlsNode.rejectUnknown();
        LinkTlsSettings linkTls = null;
        if (cert != null || key != null || trust != null) {
            if (cert == null || key == null || trust == null) {
                throw new ConfigException("config keys 'mesh.tls.certChainFile', 'mesh.tls.privateKeyFile' and"
                        + " 'mesh.tls.trustCaFile' go together; "
                        + (cert == null ? "certChainFile" : key == null ? "privateKeyFile" : "trustCaFile")
                        + " is missing");
            }
            linkTls = new LinkTlsSettings(existing(baseDir, cert, "mesh.tls.certChainFile"),
                    existing(baseDir, key, "mesh.tls.privateKeyFile"), existing(baseDir, trust, "mesh.tls.trustCaFile"));
            try {
                LinkTls.load(linkTls);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("config key 'mesh.tls': " + e.getMessage(), e);
            }
        }
        Path stateDir = stateDir(mesh.string("stateDir", null), baseDir);
        mesh.rejectUnknown();
        return new GatewayConfig.MeshConfig(durability, heartbeatMs, downAfterMissed, upAfterGood, linkQueueMax,
                requestTimeoutMs, reconnectMaxMs, failbackHoldMs, emulated, linkTls, stateDir);
    }

    /**
     * {@code mesh.stateDir}: relative to the configuration file; by default {@code meshgate-state} beside it, and
     * none (memory only) for a configuration read from no file. Whether it can be written is checked when a node
     * starts, not here: the operator commands read the same file on other machines.
     */
    private static Path stateDir(String configured, Path baseDir) {
        if (configured == null) {
            return baseDir == null ? null : baseDir.resolve("meshgate-state");
        }
        if (configured.isBlank() || configured.indexOf('\0') >= 0) {
            throw new ConfigException("config key 'mesh.stateDir' must be a directory path, got '" + configured + "'");
        }
        try {
            return baseDir == null ? Path.of(configured) : baseDir.resolve(configured);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException("config key 'mesh.stateDir' is not a valid path: " + e.getMessage(), e);
        }
    }

    private static Path existing(Path baseDir, String name, String key) {
        Path path = baseDir == null ? Path.of(name) : baseDir.resolve(name);
        if (!Files.isReadable(path)) {
            throw new ConfigException("config key '" + key + "': cannot read " + path);
        }
        return path;
    }

    private static String readFile(Path baseDir, String name, String key) {
        Path path = baseDir == null ? Path.of(name) : baseDir.resolve(name);
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("config key '" + key + "': cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static HistoryLimits history(ConfigNode h) {
        HistoryLimits d = HistoryLimits.DEFAULTS;
        try {
            int maxMessages = h.integer("maxMessages", d.maxMessages(), 1, 1_000_000);
            long ttlMs = h.number("ttlMs", d.ttlMs(), 1000, Long.MAX_VALUE);
            long maxBytes = h.number("maxBytes", d.maxBytes(), 64 * 1024, Long.MAX_VALUE);
            long dedupWindowMs = h.number("dedupWindowMs", d.dedupWindowMs(), 300_000, Long.MAX_VALUE);
            int maxDedupIds = h.integer("maxDedupIds", d.maxDedupIds(), 1, 10_000_000);
            int maxChannels = h.integer("maxChannels", d.maxChannels(), 0, 100_000_000);
            // Validated against maxMessages and maxDedupIds by HistoryLimits, with a message naming the key.
            int maxRetained = h.integer("maxRetainedMessages",
                    HistoryLimits.defaultMaxRetained(maxMessages, maxDedupIds), 1, 10_000_000);
            HistoryLimits limits = new HistoryLimits(maxMessages, ttlMs, maxBytes, dedupWindowMs, maxDedupIds,
                    maxChannels, maxRetained);
            h.rejectUnknown();
            return limits;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static GatewayConfig.EdgeTuning edgeTuning(ConfigNode limits, ConfigNode ws, ConfigNode poll,
                                                       ConfigNode drain, ConfigNode admin, Path baseDir) {
        EdgeSettings d = EdgeSettings.defaults("x", "x", "127.0.0.1", 0);
        GatewayConfig.EdgeTuning tuning = new GatewayConfig.EdgeTuning(
                ws.number("pingMs", d.pingMs(), 1000, 3_600_000),
                ws.number("connectTimeoutMs", d.connectTimeoutMs(), 100, 600_000),
                ws.number("closeGraceMs", d.closeGraceMs(), 100, 600_000),
                limits.integer("outboundMaxFrames", d.outboundMaxFrames(), 16, 10_000_000),
                limits.number("outboundMaxBytes", d.outboundMaxBytes(), 64 * 1024, Long.MAX_VALUE),
                limits.integer("badFramesPerMinute", d.badFramesPerMinute(), 1, 1_000_000),
                limits.integer("publishesPerSecond", d.publishesPerSecond(), 0, 10_000_000),
                limits.integer("clientPublishesPerSecond", d.clientPublishesPerSecond(), 0, 10_000_000),
                limits.integer("rateLimitedCloseAfter", d.rateLimitedCloseAfter(), 1, 10_000_000),
                poll.integer("defaultWaitS", d.pollDefaultWaitS(), 0, 55),
                poll.integer("maxWaitS", d.pollMaxWaitS(), 0, 55),
                poll.integer("maxMessages", d.pollMaxMessages(), 1, 1000),
                poll.integer("maxChannels", d.pollMaxChannels(), 1, 10_000),
                poll.integer("maxInFlight", d.pollMaxInFlight(), 1, 10_000_000),
                drain.number("moveJitterMs", d.moveJitterMs(), 0, 600_000),
                drain.number("timeoutMs", d.drainTimeoutMs(), 0, 3_600_000),
                drain.number("readyHoldMs", d.readyHoldMs(), 0, 600_000),
                adminToken(admin, baseDir), guards(limits, poll, admin));
        if (tuning.pollDefaultWaitS() > tuning.pollMaxWaitS()) {
            throw new ConfigException("config key 'longPoll.defaultWaitS' (" + tuning.pollDefaultWaitS()
                    + ") must not exceed 'longPoll.maxWaitS' (" + tuning.pollMaxWaitS() + ")");
        }
        ws.rejectUnknown();
        poll.rejectUnknown();
        drain.rejectUnknown();
        admin.rejectUnknown();
        return tuning;
    }

    /** {@code admin.token}, or the content of {@code admin.tokenFile} (a mounted Secret), stripped; null for none. */
    private static String adminToken(ConfigNode admin, Path baseDir) {
        String token = admin.string("token", null);
        String tokenFile = admin.string("tokenFile", null);
        if (token != null && tokenFile != null) {
            throw new ConfigException("config keys 'admin.token' and 'admin.tokenFile' exclude each other");
        }
        if (tokenFile == null) {
            return token;
        }
        String read = readFile(baseDir, tokenFile, "admin.tokenFile").strip();
        if (read.isEmpty()) {
            throw new ConfigException("config key 'admin.tokenFile': " + tokenFile + " is empty");
        }
        return read;
    }

    /**
     * {@code cluster.secret}, or the content of {@code cluster.secretFile} (a mounted Secret), stripped; null for
     * none, which only a node whose cluster port binds loopback accepts (checked as it starts).
     */
    private static ClusterSecret clusterSecret(ConfigNode cluster, Path baseDir) {
        String secret = cluster.string("secret", null);
        String secretFile = cluster.string("secretFile", null);
        if (secret != null && secretFile != null) {
            throw new ConfigException("config keys 'cluster.secret' and 'cluster.secretFile' exclude each other");
        }
        String key = secretFile != null ? "cluster.secretFile" : "cluster.secret";
        if (secretFile != null) {
            secret = readFile(baseDir, secretFile, key).strip();
        }
        if (secret == null) {
            return null;
        }
        try {
            return ClusterSecret.of(secret);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config key '" + key + "': the region's secret must be at least "
                    + ClusterSecret.MIN_BYTES + " bytes, was " + secret.getBytes(StandardCharsets.UTF_8).length, e);
        }
    }

    private static EdgeGuards guards(ConfigNode limits, ConfigNode poll, ConfigNode admin) {
        EdgeGuards d = EdgeGuards.DEFAULTS;
        String adminBindHost = admin.string("bindHost", d.adminBindHost());
        if (!IP_LITERAL.matcher(adminBindHost).matches()) {
            throw new ConfigException("config key '" + admin.path("bindHost") + "' must be an IP address of this"
                    + " machine, got '" + adminBindHost + "'");
        }
        return new EdgeGuards(
                limits.number("requestParseTimeoutMs", d.requestParseTimeoutMs(), 100, 600_000),
                limits.number("idleTimeoutMs", d.idleTimeoutMs(), 60_000, 3_600_000),
                limits.integer("connectionsPerAddress", d.maxConnectionsPerAddress(), 1, 10_000_000),
                poll.integer("maxInFlightPerClient", d.pollMaxInFlightPerClient(), 1, 10_000_000),
                limits.integer("subscribesPerSecond", d.subscribesPerSecond(), 1, 1_000_000),
                adminBindHost, d.adminPort(), admin.bool("faults", d.faults()));
    }

    private static FeedSettings delivery(ConfigNode d) {
        FeedSettings f = FeedSettings.DEFAULTS;
        FeedSettings settings = new FeedSettings(
                d.integer("pageSize", f.pageSize(), 1, 1000),
                d.integer("maxPending", f.maxPending(), 16, 10_000_000),
                d.number("routeLingerMs", f.routeLingerMs(), 0, 3_600_000),
                d.number("probeIntervalMs", f.probeIntervalMs(), 100, 600_000),
                d.number("slowConsumerMs", f.slowConsumerMs(), 100, 3_600_000));
        d.rejectUnknown();
        return settings;
    }
}
