package io.meshgate.relay.link;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.mesh.Durability;
import io.meshgate.relay.mesh.MeshSettings;
import io.meshgate.relay.mesh.PeerAddress;
import io.meshgate.relay.node.RelayNode;
import io.meshgate.relay.node.RelaySettings;
import io.meshgate.relay.region.HazelcastSettings;
import io.meshgate.relay.testkit.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay peer proves the region it claims (issue 11, attack 2): over real mutual TLS, a {@code Hello} must name a
 * region the peer's certificate names, and only the node's own region may forward to it. A relay port that would
 * bind beyond loopback without TLS is refused before it opens. The node is a real relay node of region eu-west whose
 * mesh names us-east and ap-south as peers (neither runs: eu-west's dials to us-east fail and back off).
 */
class RelayPeerIdentityTest {
    private static final String REGION = "eu-west";

    @TempDir
    static Path dir;
    private static RelayNode node;
    private static TestCertificates mesh;

    @BeforeAll
    static void start() {
        mesh = TestCertificates.authority(dir, "mesh");
        LinkTlsSettings tls = mesh.issueForRegions("eu-west-1", REGION);
        int clusterPort = LinkProbe.freePort();
        List<PeerAddress> nobody = List.of(new PeerAddress("127.0.0.1", LinkProbe.freePort()));
        MeshSettings peers = new MeshSettings(REGION, Map.of("us-east", nobody, "ap-south", nobody),
                Durability.REGION, 1000, 4, 2, 1000, 5000, 5000, 0, Map.of(), tls);
        node = new RelayNode(new RelaySettings(REGION, "eu-west-1", "127.0.0.1", "127.0.0.1", 0,
                new HazelcastSettings("relay-peer-identity-test-" + clusterPort, "127.0.0.1", clusterPort,
                        List.of("127.0.0.1:" + clusterPort), 0), HistoryLimits.DEFAULTS, 256, 10_000, peers, tls),
                new SimpleMeterRegistry(), Clock.systemUTC());
        node.start((channel, messages) -> { });
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aHelloClaimingAnotherRegionThanTheCertificateNamesIsRefused() throws Exception {
        ManagedChannel usEast = channel(mesh.issueForRegions("us-east-1", "us-east"));
        try {
            LinkProbe.Outcome spoofed = hello(usEast, "ap-south");
            assertEquals(Status.Code.PERMISSION_DENIED, spoofed.refusal().getCode(), spoofed.toString());
            assertTrue(spoofed.refusal().getDescription().contains("ap-south"), spoofed.toString());

            // Control: the certificate's own region links, once the node leads its region's mesh.
            LinkProbe.Outcome honest = await("the mesh leader takes the link").atMost(Duration.ofSeconds(30))
                    .until(() -> hello(usEast, "us-east"), o -> o.reply() != null);
            assertEquals(REGION, honest.reply().getHello().getRegion());
        } finally {
            usEast.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCertificateNamingNoRegionClaimsNone() throws Exception {
        ManagedChannel anonymous = channel(mesh.issue("no-region"));
        try {
            assertEquals(Status.Code.PERMISSION_DENIED, hello(anonymous, REGION).refusal().getCode());
        } finally {
            anonymous.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void onlyTheNodesOwnRegionMayForwardToIt() throws Exception {
        ManagedChannel usEast = channel(mesh.issueForRegions("us-east-2", "us-east"));
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> RelayGrpc
                    .newBlockingStub(usEast).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .forward(LinkFrame.getDefaultInstance()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());

            // The pipelined forward stream is gated the same way: refused before any request is taken.
            java.util.concurrent.CompletableFuture<Status> ended = new java.util.concurrent.CompletableFuture<>();
            io.grpc.stub.StreamObserver<LinkFrame> requests = RelayGrpc.newStub(usEast).forwardStream(
                    new io.grpc.stub.StreamObserver<>() {
                        @Override
                        public void onNext(LinkFrame answer) {
                            ended.completeExceptionally(new AssertionError("a refused stream answered " + answer));
                        }

                        @Override
                        public void onError(Throwable t) {
                            ended.complete(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            ended.complete(Status.OK);
                        }
                    });
            requests.onNext(LinkFrame.newBuilder().setForwardId(1).build());
            assertEquals(Status.Code.PERMISSION_DENIED, ended.get(10, TimeUnit.SECONDS).getCode());
        } finally {
            usEast.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPlaintextRelayPortBeyondLoopbackIsRefusedNamingTheKey() {
        for (String host : new String[] {"0.0.0.0", "10.0.0.7"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> RelayCredentials.forBind(host, null));
            assertTrue(e.getMessage().contains("mesh.tls.certChainFile"), e.getMessage());
        }
    }

    private static ManagedChannel channel(LinkTlsSettings client) {
        return NettyChannelBuilder.forAddress("127.0.0.1", node.relayPort(), LinkTls.load(client).channelCredentials())
                .build();
    }

    /** Opens a link, sends one Hello in this node's protocol, and returns the first answer. */
    private static LinkProbe.Outcome hello(ManagedChannel channel, String claimedRegion) throws InterruptedException {
        return LinkProbe.firstAnswer(channel, LinkProbe.hello(claimedRegion, MeshEndpoint.LINK_PROTOCOL));
    }
}
