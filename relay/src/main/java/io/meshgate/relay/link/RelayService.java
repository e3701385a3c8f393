package io.meshgate.relay.link;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RelayGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code Relay} service of one node: the gate in front of the mesh. It checks who is calling and hands
 * everything else to the {@link MeshEndpoint}; it answers no frame itself. A link is taken only when its first
 * frame is a {@code Hello} from a peer region of the mesh that the caller's certificate may speak for, in this
 * node's link protocol version; anything else ends the call with a status, so a raw gRPC client learns nothing.
 *
 * <p>Threads: {@link #forward} and each link's observer run on the transport's thread for that call (gRPC delivers
 * one call's events in order, never two at once), so a link's refusal state needs no lock.
 */
public final class RelayService extends RelayGrpc.RelayImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);

    private final String region;
    private final MeshEndpoint mesh;

    /** The service of a node that runs no mesh: links and forwards are refused. */
    public RelayService(String region) {
        this(region, null);
    }

    /**
     * @param mesh where links from peer regions and in-region forwards go, or null when the node runs no mesh; a mesh
     *             that has not started yet refuses them as a node that is not the region's leader would
     */
    public RelayService(String region, MeshEndpoint mesh) {
        this.region = region;
        this.mesh = mesh;
    }

    /** The failure a mesh future completed with, without the {@link CompletionException} around it. */
    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Why a node's forward (unary or stream) is refused, or null when the mesh may take it. */
    private Status forwardRefusal() {
        if (!PeerIdentity.current().mayClaim(region)) {
            return Status.PERMISSION_DENIED.withDescription("only nodes of region " + region
                    + " forward to it; the peer has a " + PeerIdentity.current().describe());
        }
        return mesh == null ? Status.FAILED_PRECONDITION.withDescription("this node runs no mesh") : null;
    }

    @Override
    public void forward(LinkFrame request, StreamObserver<LinkFrame> responses) {
        Status refusal = forwardRefusal();
        if (refusal != null) {
            responses.onError(refusal.asRuntimeException());
            return;
        }
        mesh.forward(request).whenComplete((reply, failure) -> {
            if (failure != null) {
                Throwable cause = unwrap(failure);
                responses.onError(Status.fromThrowable(cause).getCode() == Status.Code.UNKNOWN
                        ? Status.UNAVAILABLE.withDescription(cause.getMessage()).asRuntimeException()
                        : Status.fromThrowable(cause).asRuntimeException());
            } else {
                responses.onNext(reply);
                responses.onCompleted();
            }
        });
    }

    /**
     * A node's pipelined forwards: each request goes to the mesh in the order it arrived (this observer's calls are
     * serial), its answer goes back with its {@code forward_id} as soon as it is ready. Answers complete on the
     * mesh's threads, so writing them is serialized on {@code responses}.
     */
    @Override
    public StreamObserver<LinkFrame> forwardStream(StreamObserver<LinkFrame> responses) {
        Status refusal = forwardRefusal();
        if (refusal != null) {
            responses.onError(refusal.asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(LinkFrame value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        return new ForwardStreamCall(mesh, responses);
    }

    @Override
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
        ServerCallStreamObserver<LinkFrame> out = (ServerCallStreamObserver<LinkFrame>) responses;
        // gRPC takes the ready handler only now, before the first frame says which mesh link this is.
        AtomicReference<Runnable> onReady = new AtomicReference<>(() -> { });
        out.setOnReadyHandler(() -> onReady.get().run());
        return new StreamObserver<>() {
            /** The mesh's observer once the Hello was accepted; every later event goes there. */
            private StreamObserver<LinkFrame> meshLink;
            /** This side ended the call (refused, or the caller finished first): later events are ignored. */
            private boolean ended;

            @Override
            public void onNext(LinkFrame frame) {
                if (meshLink != null) {
                    meshLink.onNext(frame);
                    return;
                }
                if (ended) {
                    return;
                }
                Status refusal = refusal(frame);
                if (refusal != null) {
                    refuse(refusal);
                    return;
                }
                try {
                    meshLink = mesh.accept(frame.getHello(), out, onReady::set);
                } catch (io.grpc.StatusRuntimeException refused) {
                    refuse(refused.getStatus());
                }
            }

            private void refuse(Status status) {
                LOG.warn("relay link refused: {}", status.getDescription());
                ended = true;
                out.onError(status.asRuntimeException());
            }

            @Override
            public void onError(Throwable t) {
                if (meshLink != null) {
                    meshLink.onError(t);
                    return;
                }
                ended = true;
                LOG.debug("relay link failed before its Hello was accepted: {}", Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                if (meshLink != null) {
                    meshLink.onCompleted();
                    return;
                }
                if (!ended) {
                    ended = true;
                    out.onCompleted();
                }
            }
        };
    }

    /** Why a link whose first frame is {@code first} is refused, or null when the mesh may take it. */
    private Status refusal(LinkFrame first) {
        if (!first.hasHello()) {
            return Status.INVALID_ARGUMENT.withDescription("the first frame of a link must be a Hello, was "
                    + first.getKindCase());
        }
        Hello hello = first.getHello();
        if (!PeerIdentity.current().mayClaim(hello.getRegion())) {
            return Status.PERMISSION_DENIED.withDescription("Hello claims region " + hello.getRegion()
                    + " but the peer has a " + PeerIdentity.current().describe());
        }
        if (mesh == null) {
            return Status.FAILED_PRECONDITION.withDescription("this node runs no mesh");
        }
        if (hello.getProtocol() != MeshEndpoint.LINK_PROTOCOL) {
            return Status.FAILED_PRECONDITION.withDescription("region " + hello.getRegion() + " speaks link protocol "
                    + Integer.toUnsignedString(hello.getProtocol()) + "; this node speaks "
                    + MeshEndpoint.LINK_PROTOCOL);
        }
        if (!mesh.isPeer(hello.getRegion())) {
            return Status.PERMISSION_DENIED.withDescription("region " + hello.getRegion()
                    + " is not a peer region of " + region + "'s mesh");
        }
        return null;
    }
}
