package io.meshgate.relay.region;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The secret a region's nodes share ({@code cluster.secret} or {@code cluster.secretFile}): the key of the HMAC every
 * delivery carries on a node's inbox topic, so that a member that does not hold it (anything that reaches the
 * Hazelcast port on the private network can join as a member: open-source Hazelcast authenticates no one) cannot
 * forge a delivery unnoticed. Immutable; any thread.
 *
 * <p>Required whenever the cluster port binds beyond loopback ({@link #forBind}). On loopback without one, the key is
 * derived from the cluster name: that is no secret, and it need not be, because a port on loopback is reachable only
 * from this machine, whose processes the node already trusts (its relay port is plaintext there too). It lets the
 * demo and several node processes on one machine agree without configuration.
 */
public final class ClusterSecret {
    /** The shortest secret accepted, in bytes of its UTF-8 encoding: HMAC-SHA256 wants a key of at least 32. */
    public static final int MIN_BYTES = 32;

    private final byte[] key;
    private final boolean configured;

    private ClusterSecret(byte[] key, boolean configured) {
        this.key = key;
        this.configured = configured;
    }

    /**
     * A configured secret.
     *
     * @throws IllegalArgumentException naming {@code cluster.secret} when it is shorter than {@link #MIN_BYTES}
     */
    public static ClusterSecret of(String secret) {
        byte[] bytes = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException("cluster.secret must be at least " + MIN_BYTES + " bytes, was "
                    + bytes.length);
        }
        return new ClusterSecret(bytes, true);
    }

    /**
     * The key a member with these settings signs and checks deliveries with: the configured secret, or on loopback
     * the one derived from the cluster name. Any thread.
     *
     * @throws IllegalStateException naming {@code cluster.secret} when the cluster port binds beyond loopback and no
     *                               secret is configured
     */
    public static ClusterSecret forBind(HazelcastSettings settings) {
        if (settings.secret() != null) {
            return settings.secret();
        }
        if (!BindAddress.isLoopback(settings.bindHost())) {
            throw new IllegalStateException("the cluster (Hazelcast) port binds " + settings.bindHost()
                    + ", which is not loopback, and cluster.secret is not set: any member that joins could forge"
                    + " deliveries, so set cluster.secret (or cluster.secretFile) to at least " + MIN_BYTES
                    + " bytes shared by every node of the region, or bind 127.0.0.1");
        }
        return loopbackDefault(settings.clusterName());
    }

    /** The loopback key: SHA-256 of a fixed label and the cluster name. Public by construction; see the class. */
    public static ClusterSecret loopbackDefault(String clusterName) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return new ClusterSecret(sha.digest(("meshgate loopback cluster key\0" + clusterName)
                    .getBytes(StandardCharsets.UTF_8)), false);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A copy of the key bytes. */
    public byte[] key() {
        return key.clone();
    }

    /** True when the secret came from the configuration, false for the loopback key. */
    public boolean configured() {
        return configured;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterSecret that && configured == that.configured
                && MessageDigest.isEqual(key, that.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    /** Never the key: settings are logged. */
    @Override
    public String toString() {
        return configured ? "cluster.secret(" + key.length + " bytes)" : "cluster.secret(loopback default)";
    }
}
