package io.meshgate.relay.link;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Heartbeat;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.proto.relay.SequencedMessage;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.Sequenced;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay gRPC service over a real socket, backed by a real one-member region's store. */
class RelayServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REGION = "eu-west";
    private static final String NODE = "eu-west-1";
    /** Small history so gaps are cheap to make. */
    private static final HistoryLimits SMALL = new HistoryLimits(5, 600_000, 8L * 1024 * 1024, 300_000, 100_000);

    private static TestRegion region;
    private static ChannelStore store;
    private static RelayServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        region = TestRegion.start(1, HistoryLimits.DEFAULTS);
        store = new ChannelStore(region.hazelcast(0), SMALL, region.member(0).store().regionEpoch());
        server = new RelayServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                new RelayService(REGION, NODE, store)).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        if (region != null) {
            region.close();
        }
    }

    private static RelayGrpc.RelayBlockingStub blocking() {
        return RelayGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store call failed or timed out", e);
        }
    }

    /** Sequences {@code count} messages on a fresh channel and returns them as acked. */
    private static List<Message> publish(String ch, int count) {
        List<PublishRequest> requests = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            requests.add(new PublishRequest("id-" + i, "{\"n\":" + i + "}"));
        }
        return join(store.sequence(ch, requests)).outcomes().stream().map(Sequenced::message).toList();
    }

    private static List<Long> seqs(RangeReply reply) {
        return reply.getMessagesList().stream().map(SequencedMessage::getSeq).toList();
    }

    private static List<Long> seqsBetween(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<SequencedMessage> proto(List<Message> messages) {
        return messages.stream().map(DeliveryCodec::toProto).toList();
    }

    private static String channelName(String prefix) {
        return prefix + ":" + UUID.randomUUID();
    }

    @Test
    void linkAnswersHelloHeartbeatsAndRangeRequests() throws Exception {
        String ch = channelName("link");
        List<Message> acked = publish(ch, 3);

        BlockingQueue<LinkFrame> received = new LinkedBlockingQueue<>();
        AtomicBoolean completed = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        StreamObserver<LinkFrame> toServer = RelayGrpc.newStub(channel).link(new StreamObserver<>() {
            @Override
            public void onNext(LinkFrame frame) {
                received.add(frame);
            }

            @Override
            public void onError(Throwable t) {
                failed.set(t);
            }

            @Override
            public void onCompleted() {
                completed.set(true);
            }
        });

        toServer.onNext(LinkFrame.newBuilder()
                .setHello(Hello.newBuilder().setRegion("us-east").setNode("us-east-2").setProtocol(1)).build());
        LinkFrame hello = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(hello, "no Hello back");
        assertEquals(LinkFrame.KindCase.HELLO, hello.getKindCase());
        assertEquals(REGION, hello.getHello().getRegion());
        assertEquals(NODE, hello.getHello().getNode());
        assertEquals(1, hello.getHello().getProtocol());

        long[] nonces = {42, Long.MIN_VALUE + 7, -1L}; // uint64 values above 2^63 too
        for (long nonce : nonces) {
            toServer.onNext(LinkFrame.newBuilder()
                    .setHeartbeat(Heartbeat.newBuilder().setNonce(nonce).setSentAtNanos(nonce ^ 0x5a5a)).build());
        }
        for (long nonce : nonces) {
            LinkFrame ack = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(ack, "no HeartbeatAck for nonce " + nonce);
            assertEquals(LinkFrame.KindCase.HEARTBEAT_ACK, ack.getKindCase());
            assertEquals(nonce, ack.getHeartbeatAck().getNonce());
            assertEquals(nonce ^ 0x5a5a, ack.getHeartbeatAck().getSentAtNanos());
        }

        toServer.onNext(LinkFrame.newBuilder().setRangeRequest(RangeRequest.newBuilder()
                .setChannel(ch).setAfterSeq(1).setRequestId(77)).build());
        LinkFrame range = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(range, "no RangeReply");
        assertEquals(LinkFrame.KindCase.RANGE_REPLY, range.getKindCase());
        assertEquals(77, range.getRangeReply().getRequestId());
        assertEquals(ch, range.getRangeReply().getChannel());
        assertEquals(3, range.getRangeReply().getHeadSeq());
        assertEquals(proto(acked.subList(1, 3)), range.getRangeReply().getMessagesList());

        toServer.onCompleted();
        await("server closes its side").atMost(WAIT).untilTrue(completed);
        assertNull(failed.get());
        assertTrue(received.isEmpty(), "nothing unexpected on the link: " + received);
    }

    @Test
    void fetchRangeReturnsMessagesHeadAndEpoch() {
        String ch = channelName("range");
        List<Message> acked = publish(ch, 4);
        String epoch = acked.get(0).epoch();

        RangeReply all = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch).setRequestId(9).build());
        assertEquals(ch, all.getChannel());
        assertEquals(epoch, all.getEpoch());
        assertEquals(4, all.getHeadSeq());
        assertEquals(9, all.getRequestId());
        assertEquals(0, all.getGapFrom());
        assertEquals(0, all.getGapTo());
        assertEquals(proto(acked), all.getMessagesList(), "max_messages 0 means as many as the server allows");

        RangeReply some = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch).setAfterSeq(1)
                .setMaxMessages(2).build());
        assertEquals(List.of(2L, 3L), seqs(some));
        assertEquals(4, some.getHeadSeq());
        assertEquals(0, some.getGapFrom());

        RangeReply atHead = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch).setAfterSeq(4).build());
        assertEquals(List.of(), seqs(atHead));
        assertEquals(4, atHead.getHeadSeq());
        assertEquals(0, atHead.getGapFrom());

        RangeReply unknown = blocking().fetchRange(RangeRequest.newBuilder().setChannel(channelName("none"))
                .build());
        assertEquals(0, unknown.getHeadSeq());
        assertEquals(0, unknown.getMessagesCount());
        assertEquals(0, unknown.getGapFrom());
    }

    @Test
    void fetchRangeReportsTheGapBeforeWhatHistoryStillHolds() {
        String ch = channelName("gap");
        List<Message> acked = publish(ch, 12); // history holds the last 5: 8..12

        RangeReply fromStart = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch).build());
        assertEquals(12, fromStart.getHeadSeq());
        assertEquals(1, fromStart.getGapFrom());
        assertEquals(7, fromStart.getGapTo());
        assertEquals(proto(acked.subList(7, 12)), fromStart.getMessagesList());

        RangeReply fromMiddle = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch).setAfterSeq(3)
                .setMaxMessages(2).build());
        assertEquals(4, fromMiddle.getGapFrom());
        assertEquals(7, fromMiddle.getGapTo());
        assertEquals(seqsBetween(8, 9), seqs(fromMiddle));

        RangeReply noGap = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch).setAfterSeq(7).build());
        assertEquals(0, noGap.getGapFrom());
        assertEquals(0, noGap.getGapTo());
        assertEquals(seqsBetween(8, 12), seqs(noGap));
    }

    @Test
    void fetchRangeTreatsMaxMessagesAsUnsigned() {
        String ch = channelName("unsigned");
        publish(ch, 3);
        // 0xFFFFFFFF on the wire: "as many as you allow", capped by the server, never "none".
        RangeReply reply = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch).setMaxMessages(-1)
                .build());
        assertEquals(seqsBetween(1, 3), seqs(reply));
        RangeReply big = blocking().fetchRange(RangeRequest.newBuilder().setChannel(ch)
                .setMaxMessages(Integer.MIN_VALUE).build());
        assertEquals(seqsBetween(1, 3), seqs(big));
    }

    @Test
    void fetchRangeRefusesBadChannelNames() {
        for (String bad : List.of("", "has space", "slash/no", "x".repeat(129), "ümlaut", "new\nline")) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> blocking().fetchRange(RangeRequest.newBuilder().setChannel(bad).build()),
                    "channel " + bad);
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), "channel " + bad);
        }
        // The longest valid name is accepted.
        String longest = "a".repeat(128);
        assertEquals(0, blocking().fetchRange(RangeRequest.newBuilder().setChannel(longest).build()).getHeadSeq());
    }
}
