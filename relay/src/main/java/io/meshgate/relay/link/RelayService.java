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
                    case RANGE_REQUEST -> fetch(frame.getRangeRequest(), reply ->
                            send(LinkFrame.newBuilder().setRangeReply(reply).build()));
                    default -> LOG.debug("ignored link frame {} from {}", frame.getKindCase(), peer);
                }
            }

            private void send(LinkFrame frame) {
                synchronized (out) {
                    if (!out.isCancelled()) {
                        out.onNext(frame);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                LOG.info("relay link from {} failed: {}", peer, Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                synchronized (out) {
                    out.onCompleted();
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
        }, responses);
    }

    private void fetch(RangeRequest request, java.util.function.Consumer<RangeReply> onReply) {
        fetch(request, onReply, null);
    }

    private void fetch(RangeRequest request, java.util.function.Consumer<RangeReply> onReply,
                       StreamObserver<RangeReply> errors) {
        // max_messages is a uint32: Java sees values above 2^31 - 1 as negative, which must mean "many", not "none".
        long asked = Integer.toUnsignedLong(request.getMaxMessages());
        int max = asked == 0 ? MAX_RANGE : (int) Math.min(asked, MAX_RANGE);
        store.read(request.getChannel(), request.getAfterSeq(), max).whenComplete((range, failure) -> {
            if (failure != null) {
                if (errors != null) {
                    errors.onError(Status.UNAVAILABLE.withDescription("history read failed: " + failure.getMessage())
                            .asRuntimeException());
                }
                return;
            }
            onReply.accept(toReply(request, range));
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
