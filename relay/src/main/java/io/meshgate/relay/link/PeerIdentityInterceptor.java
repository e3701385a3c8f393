package io.meshgate.relay.link;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import javax.net.ssl.SSLSession;

/**
 * Attaches the caller's {@link PeerIdentity} to every relay call, from the TLS session the transport verified. Runs
 * on the transport thread as a call starts; the identity then travels in the call's {@link Context}.
 */
public final class PeerIdentityInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        PeerIdentity identity = session == null ? PeerIdentity.LOOPBACK : PeerIdentity.of(session);
        return Contexts.interceptCall(Context.current().withValue(PeerIdentity.KEY, identity), call, headers, next);
    }
}
