package io.meshgate.relay.link;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.meshgate.proto.relay.Heartbeat;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.proto.relay.SequencedMessage;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.Sequenced;
import io.meshgate.relay.mesh.Durability;
import io.meshgate.relay.mesh.MeshSettings;
import io.meshgate.relay.node.RelayNode;
import io.meshgate.relay.node.RelaySettings;
import io.meshgate.relay.publish.Publisher;
import io.meshgate.relay.region.HazelcastSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay gRPC service over a real socket: a real relay node whose mesh is its own region alone (so it serves at
 * once), and a node that runs no mesh. The service answers nothing itself: links go to the mesh only after a
 * {@code Hello} it accepts, range reads go through {@code Forward}, and the old unary {@code FetchRange} is gone.
 */
class RelayServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REGION = "eu-west";
    /** Small history so gaps are cheap to make. */
    private static final HistoryLimits SMALL = new HistoryLimits(5, 600_000, 8L * 1024 * 1024, 300_000, 100_000);

    private static RelayNode node;
    private static Publisher publisher;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        int clusterPort = LinkProbe.freePort();
        MeshSettings alone = new MeshSettings(REGION, Map.of(), Durability.REGION, 100, 4, 2, 1000, 5000, 5000, 0,
                Map.of(), null);
        node = new RelayNode(new RelaySettings(REGION, REGION + "-1", "127.0.0.1", "127.0.0.1", 0,
                new HazelcastSettings("relay-service-test-" + clusterPort, "127.0.0.1", clusterPort,
                        List.of("127.0.0.1:" + clusterPort), 0), SMALL, 256, 10_000, alone, null),
                new SimpleMeterRegistry(), Clock.systemUTC());
        publisher = node.start((ch, messages) -> { });
        channel = NettyChannelBuilder.forAddress("127.0.0.1", node.relayPort()).usePlaintext().build();
        await("the region serves").atMost(WAIT).until(node::canServe);
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theRemovedFetchRangeMethodIsUnimplemented() {
        MethodDescriptor<byte[], byte[]> fetchRange = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(RelayGrpc.SERVICE_NAME, "FetchRange"))
                .setRequestMarshaller(RawBytes.INSTANCE).setResponseMarshaller(RawBytes.INSTANCE).build();
        byte[] request = RangeRequest.newBuilder().setChannel("chat:" + UUID.randomUUID()).build().toByteArray();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                channel, fetchRange, CallOptions.DEFAULT.withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS),
                request));

        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), e.toString());
    }

    @Test
    void aLinkIsRefusedUnlessItOpensWithAHelloOfAPeerRegionInThisProtocol() throws Exception {
        LinkProbe.Outcome heartbeatFirst = LinkProbe.firstAnswer(channel, LinkFrame.newBuilder()
                .setHeartbeat(Heartbeat.newBuilder().setNonce(42)).build());
        assertEquals(Status.Code.INVALID_ARGUMENT, heartbeatFirst.refusal().getCode(), heartbeatFirst.toString());

        LinkProbe.Outcome oldProtocol = LinkProbe.firstAnswer(channel, LinkProbe.hello("us-east", 1));
        assertEquals(Status.Code.FAILED_PRECONDITION, oldProtocol.refusal().getCode(), oldProtocol.toString());
        assertTrue(oldProtocol.refusal().getDescription().contains("link protocol 1"), oldProtocol.toString());

        LinkProbe.Outcome notAPeer = LinkProbe.firstAnswer(channel, LinkProbe.hello("us-east", MeshEndpoint.LINK_PROTOCOL));
        assertEquals(Status.Code.PERMISSION_DENIED, notAPeer.refusal().getCode(), notAPeer.toString());
        assertTrue(notAPeer.refusal().getDescription().contains("not a peer region"), notAPeer.toString());

        LinkProbe.Outcome ownRegion = LinkProbe.firstAnswer(channel, LinkProbe.hello(REGION, MeshEndpoint.LINK_PROTOCOL));
        assertEquals(Status.Code.PERMISSION_DENIED, ownRegion.refusal().getCode(), ownRegion.toString());
    }

    @Test
    void aNodeWithoutAMeshRefusesLinksAndForwards() throws Exception {
        RelayServer bare = new RelayServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                new RelayService(REGION)).start();
        ManagedChannel toBare = NettyChannelBuilder.forAddress("127.0.0.1", bare.port()).usePlaintext().build();
        try {
            LinkProbe.Outcome link = LinkProbe.firstAnswer(toBare, LinkProbe.hello("us-east", MeshEndpoint.LINK_PROTOCOL));
            assertEquals(Status.Code.FAILED_PRECONDITION, link.refusal().getCode(), link.toString());

            StatusRuntimeException forward = assertThrows(StatusRuntimeException.class, () -> RelayGrpc
                    .newBlockingStub(toBare).withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .forward(rangeRequest(RangeRequest.newBuilder().setChannel("chat:x"))));
            assertEquals(Status.Code.FAILED_PRECONDITION, forward.getStatus().getCode());
        } finally {
            toBare.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            bare.close();
        }
    }

    @Test
    void aForwardedRangeRequestReturnsMessagesAndTheHeadPosition() {
        String ch = channelName("range");
        List<Sequenced> acked = publish(ch, 4);
        String epoch = acked.get(0).position().epoch();

        RangeReply all = range(RangeRequest.newBuilder().setChannel(ch).setMaxMessages(10).setRequestId(9));
        assertEquals("", all.getError());
        assertEquals(ch, all.getChannel());
        assertEquals(epoch, all.getHead().getEpoch());
        assertEquals(4, all.getHead().getSeq());
        assertEquals(0, all.getGapFrom());
        assertEquals(0, all.getGapTo());
        assertEquals(seqsBetween(1, 4), seqs(all));
        for (int i = 0; i < 4; i++) {
            SequencedMessage m = all.getMessages(i);
            assertEquals(acked.get(i).position().epoch(), m.getPosition().getEpoch());
            assertEquals("id-" + (i + 1), m.getId());
            assertEquals("{\"n\":" + (i + 1) + "}", m.getDataJson());
        }

        RangeReply some = range(RangeRequest.newBuilder().setChannel(ch).setAfterSeq(1).setMaxMessages(2));
        assertEquals(List.of(2L, 3L), seqs(some));
        assertEquals(4, some.getHead().getSeq());

        RangeReply headOnly = range(RangeRequest.newBuilder().setChannel(ch));
        assertEquals(List.of(), seqs(headOnly), "max_messages 0 asks for the head alone");
        assertEquals(4, headOnly.getHead().getSeq());

        RangeReply unknown = range(RangeRequest.newBuilder().setChannel(channelName("none")).setMaxMessages(10));
        assertEquals(0, unknown.getHead().getSeq());
        assertEquals(0, unknown.getMessagesCount());
        assertEquals(0, unknown.getGapFrom());
    }

    @Test
    void aForwardedRangeRequestReportsTheGapBeforeWhatHistoryStillHolds() {
        String ch = channelName("gap");
        publish(ch, 12); // history holds the last 5: 8..12

        RangeReply fromStart = range(RangeRequest.newBuilder().setChannel(ch).setMaxMessages(100));
        assertEquals(12, fromStart.getHead().getSeq());
        assertEquals(1, fromStart.getGapFrom());
        assertEquals(7, fromStart.getGapTo());
        assertEquals(seqsBetween(8, 12), seqs(fromStart));

        RangeReply fromMiddle = range(RangeRequest.newBuilder().setChannel(ch).setAfterSeq(3).setMaxMessages(2));
        assertEquals(4, fromMiddle.getGapFrom());
        assertEquals(7, fromMiddle.getGapTo());
        assertEquals(seqsBetween(8, 9), seqs(fromMiddle));

        RangeReply noGap = range(RangeRequest.newBuilder().setChannel(ch).setAfterSeq(7).setMaxMessages(100));
        assertEquals(0, noGap.getGapFrom());
        assertEquals(0, noGap.getGapTo());
        assertEquals(seqsBetween(8, 12), seqs(noGap));
    }

    @Test
    void aForwardedRangeRequestTreatsMaxMessagesAsUnsignedAndRefusesBadChannelNames() {
        String ch = channelName("unsigned");
        publish(ch, 3);
        // 0xFFFFFFFF on the wire: "as many as you allow", capped by the answering relay, never "none".
        assertEquals(seqsBetween(1, 3), seqs(range(RangeRequest.newBuilder().setChannel(ch).setMaxMessages(-1))));
        assertEquals(seqsBetween(1, 3), seqs(range(RangeRequest.newBuilder().setChannel(ch)
                .setMaxMessages(Integer.MIN_VALUE))));

        for (String bad : List.of("", "has space", "slash/no", "x".repeat(129), "ümlaut", "new\nline")) {
            RangeReply refused = range(RangeRequest.newBuilder().setChannel(bad).setRequestId(5));
            assertEquals("bad channel name", refused.getError(), "channel " + bad);
            assertEquals(5, refused.getRequestId(), "the asker can match the answer");
        }
        assertEquals("", range(RangeRequest.newBuilder().setChannel("a".repeat(128))).getError(),
                "the longest valid name is accepted");
    }

    /** Sequences {@code count} messages on a fresh channel through the node's mesh and returns their acks. */
    private static List<Sequenced> publish(String ch, int count) {
        List<Sequenced> acked = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            try {
                acked.add(publisher.publish(ch, new PublishRequest("id-" + i, "{\"n\":" + i + "}"))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new AssertionError("publish " + i + " to " + ch + " failed or timed out", e);
            }
        }
        return acked;
    }

    /** A read of this region's history as a node of the region asks its mesh leader for it. */
    private static RangeReply range(RangeRequest.Builder request) {
        return RelayGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS)
                .forward(rangeRequest(request)).getRangeReply();
    }

    private static LinkFrame rangeRequest(RangeRequest.Builder request) {
        return LinkFrame.newBuilder().setOrigin(REGION).setTarget(REGION).setRangeRequest(request).build();
    }

    private static List<Long> seqs(RangeReply reply) {
        return reply.getMessagesList().stream().map(m -> m.getPosition().getSeq()).toList();
    }

    private static List<Long> seqsBetween(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static String channelName(String prefix) {
        return prefix + ":" + UUID.randomUUID();
    }

    /** Bytes as they are: a call to a method the generated stubs no longer name. */
    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
