package io.meshgate.relay.link;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.HeartbeatAck;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.channel.ChannelNames;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.Range;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/** The {@code Relay} service of one node. Stateless per call apart from the link's peer name. */
public final class RelayService extends RelayGrpc.RelayImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);
    static final int MAX_RANGE = 1000;

    private final String region;
    private final String node;
    private final ChannelStore store;
    private final MeshEndpoint mesh;

    /** The service of a node that runs no mesh: links and forwards are refused. */
    public RelayService(String region, String node, ChannelStore store) {
        this(region, node, store, null);
    }

    /**
     * @param mesh where links from peer regions and in-region forwards go, or null when the node runs no mesh; a mesh
     *             that has not started yet refuses them as a node that is not the region's leader would
     */
    public RelayService(String region, String node, ChannelStore store, MeshEndpoint mesh) {
        this.region = region;
        this.node = node;
        this.store = store;
        this.mesh = mesh;
    }

    @Override
    public void forward(LinkFrame request, StreamObserver<LinkFrame> responses) {
        if (!PeerIdentity.current().mayClaim(region)) {
            responses.onError(Status.PERMISSION_DENIED.withDescription("only nodes of region " + region
                    + " forward to it; the peer has a " + PeerIdentity.current().describe()).asRuntimeException());
            return;
        }
        MeshEndpoint endpoint = mesh;
        if (endpoint == null) {
            responses.onError(Status.FAILED_PRECONDITION.withDescription("this node runs no mesh")
                    .asRuntimeException());
            return;
        }
        endpoint.forward(request).whenComplete((reply, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure;
                responses.onError(Status.fromThrowable(cause).getCode() == Status.Code.UNKNOWN
                        ? Status.UNAVAILABLE.withDescription(cause.getMessage()).asRuntimeException()
                        : Status.fromThrowable(cause).asRuntimeException());
            } else {
                responses.onNext(reply);
                responses.onCompleted();
            }
        });
    }

    @Override
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
        ServerCallStreamObserver<LinkFrame> out = (ServerCallStreamObserver<LinkFrame>) responses;
        // gRPC takes the ready handler only now, before the first frame says whether this is a mesh link.
        java.util.concurrent.atomic.AtomicReference<Runnable> onReady = new java.util.concurrent.atomic.AtomicReference<>(
                () -> { });
        out.setOnReadyHandler(() -> onReady.get().run());
        return new StreamObserver<>() {
            private String peer;
            private StreamObserver<LinkFrame> meshLink;

            @Override
            public void onNext(LinkFrame frame) {
                if (meshLink != null) {
                    meshLink.onNext(frame);
                    return;
                }
                if (frame.hasHello() && !PeerIdentity.current().mayClaim(frame.getHello().getRegion())) {
                    refuse(Status.PERMISSION_DENIED.withDescription("Hello claims region "
                            + frame.getHello().getRegion() + " but the peer has a " + PeerIdentity.current().describe()));
                    return;
                }
                MeshEndpoint endpoint = mesh;
                if (frame.hasHello() && endpoint != null && endpoint.isPeer(frame.getHello().getRegion())) {
                    try {
                        meshLink = endpoint.accept(frame.getHello(), out, onReady::set);
                    } catch (io.grpc.StatusRuntimeException refused) {
                        refuse(refused.getStatus());
                    }
                    return;
                }
                switch (frame.getKindCase()) {
                    case HELLO -> {
                        peer = frame.getHello().getRegion() + "/" + frame.getHello().getNode();
                        LOG.info("relay link opened by {}", peer);
                        send(LinkFrame.newBuilder().setHello(Hello.newBuilder()
                                .setRegion(region).setNode(node).setProtocol(1)).build());
                    }
                    case HEARTBEAT -> send(LinkFrame.newBuilder().setHeartbeatAck(HeartbeatAck.newBuilder()
                            .setNonce(frame.getHeartbeat().getNonce())
                            .setSentAtNanos(frame.getHeartbeat().getSentAtNanos())).build());
                    case RANGE_REQUEST -> {
                        RangeRequest request = frame.getRangeRequest();
                        if (!ChannelNames.isValid(request.getChannel())) {
                            // An answer the peer can match: empty, with the request id, so it never waits forever.
                            send(LinkFrame.newBuilder().setRangeReply(RangeReply.newBuilder()
                                    .setChannel(request.getChannel()).setRequestId(request.getRequestId())).build());
                        } else {
                            fetch(request, reply -> send(LinkFrame.newBuilder().setRangeReply(reply).build()),
                                    failure -> send(LinkFrame.newBuilder().setRangeReply(RangeReply.newBuilder()
                                            .setChannel(request.getChannel()).setRequestId(request.getRequestId()))
                                            .build()));
                        }
                    }
                    default -> LOG.debug("ignored link frame {} from {}", frame.getKindCase(), peer);
                }
            }

            private boolean completed;

            private void refuse(Status status) {
                LOG.warn("relay link refused: {}", status.getDescription());
                synchronized (out) {
                    completed = true;
                }
                out.onError(status.asRuntimeException());
            }

            private void send(LinkFrame frame) {
                synchronized (out) {
                    if (!completed && !out.isCancelled()) {
                        out.onNext(frame);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                if (meshLink != null) {
                    meshLink.onError(t);
                    return;
                }
                synchronized (out) {
                    completed = true;
                }
                LOG.info("relay link from {} failed: {}", peer, Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                if (meshLink != null) {
                    meshLink.onCompleted();
                    return;
                }
                synchronized (out) {
                    if (!completed) {
                        completed = true;
                        out.onCompleted();
                    }
                }
            }
        };
    }

    @Override
    public void fetchRange(RangeRequest request, StreamObserver<RangeReply> responses) {
        if (!ChannelNames.isValid(request.getChannel())) {
            responses.onError(Status.INVALID_ARGUMENT.withDescription("bad channel name").asRuntimeException());
            return;
        }
        fetch(request, reply -> {
            responses.onNext(reply);
            responses.onCompleted();
        }, failure -> responses.onError(Status.UNAVAILABLE
                .withDescription("history read failed: " + failure.getMessage()).asRuntimeException()));
    }

    private void fetch(RangeRequest request, Consumer<RangeReply> onReply, Consumer<Throwable> onFailure) {
        int max = request.getMaxMessages() == 0 ? MAX_RANGE
                : (int) Math.min(Integer.toUnsignedLong(request.getMaxMessages()), MAX_RANGE);
        store.read(request.getChannel(), request.getAfterSeq(), max).whenComplete((range, failure) -> {
            if (failure != null) {
                onFailure.accept(failure);
            } else {
                onReply.accept(toReply(request, range));
            }
        });
    }

    private static RangeReply toReply(RangeRequest request, Range range) {
        RangeReply.Builder reply = RangeReply.newBuilder().setChannel(request.getChannel())
                .setEpoch(range.epoch()).setHeadSeq(range.head()).setRequestId(request.getRequestId())
                .setGapFrom(range.gapFrom()).setGapTo(range.gapTo());
        range.messages().forEach(m -> reply.addMessages(DeliveryCodec.toProto(m)));
        return reply.build();
    }
}
