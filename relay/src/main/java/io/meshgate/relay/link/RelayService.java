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

    public RelayService(String region, String node, ChannelStore store) {
        this.region = region;
        this.node = node;
        this.store = store;
    }

    @Override
    public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
        ServerCallStreamObserver<LinkFrame> out = (ServerCallStreamObserver<LinkFrame>) responses;
        return new StreamObserver<>() {
            private String peer;

            @Override
            public void onNext(LinkFrame frame) {
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

            private void send(LinkFrame frame) {
                synchronized (out) {
                    if (!completed && !out.isCancelled()) {
                        out.onNext(frame);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                synchronized (out) {
                    completed = true;
                }
                LOG.info("relay link from {} failed: {}", peer, Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
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
