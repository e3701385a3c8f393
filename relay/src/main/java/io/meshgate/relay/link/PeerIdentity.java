package io.meshgate.relay.link;

import io.grpc.Context;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The regions the peer of a relay call has proved it belongs to. A node's link certificate names its region in an
 * {@code OU} attribute of its subject ({@code CN=eu-west-1,OU=eu-west}); a certificate may name several regions,
 * and then its holder may speak for each. A plaintext call has no proof: the node only accepts plaintext on a
 * loopback bind (see {@link RelayCredentials}), where every caller is this machine, so such a call may claim any
 * region.
 *
 * <p>Set by {@link PeerIdentityInterceptor} for each call and read with {@link #current()} on the thread that runs
 * the call's handlers (gRPC attaches the call's {@link Context} there).
 */
public final class PeerIdentity {
    static final Context.Key<PeerIdentity> KEY = Context.key("meshgate-peer-identity");
    /** A plaintext call on a loopback bind: this machine, trusted as any region. */
    static final PeerIdentity LOOPBACK = new PeerIdentity(null);

    /** The regions the certificate names; null for an unchecked loopback caller. */
    private final Set<String> regions;

    private PeerIdentity(Set<String> regions) {
        this.regions = regions;
    }

    /** The identity of the call being handled; a call outside any relay server is treated as loopback. */
    public static PeerIdentity current() {
        PeerIdentity identity = KEY.get();
        return identity == null ? LOOPBACK : identity;
    }

    /** True when the peer's certificate names {@code region} (always, for a loopback plaintext caller). */
    public boolean mayClaim(String region) {
        return regions == null || regions.contains(region);
    }

    /** What the peer proved, for logs. */
    public String describe() {
        return regions == null ? "plaintext loopback peer" : "certificate for regions " + regions;
    }

    /** The identity a TLS session proves: the {@code OU} values of the peer certificate's subject. */
    static PeerIdentity of(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return new PeerIdentity(Set.of());
            }
            return new PeerIdentity(regionsOf(leaf));
        } catch (SSLPeerUnverifiedException e) {
            return new PeerIdentity(Set.of());
        }
    }

    static Set<String> regionsOf(X509Certificate certificate) {
        Set<String> regions = new LinkedHashSet<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("OU")) {
                    regions.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return Set.of(); // an unparsable subject proves nothing
        }
        return Set.copyOf(regions);
    }
}
