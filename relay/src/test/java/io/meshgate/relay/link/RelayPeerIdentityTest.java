package io.meshgate.relay.link;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.testkit.TestCertificates;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay peer proves the region it claims (issue 11, attack 2): over real mutual TLS, a {@code Hello} must name a
 * region the peer's certificate names, and only the node's own region may forward to it. A relay port that would
 * bind beyond loopback without TLS is refused before it opens.
 */
class RelayPeerIdentityTest {
    private static final String REGION = "eu-west";

    @TempDir
    static Path dir;
    private static TestRegion region;
    private static RelayServer server;
    private static TestCertificates mesh;

    @BeforeAll
    static void start() throws Exception {
        mesh = TestCertificates.authority(dir, "mesh");
        region = TestRegion.start(1, HistoryLimits.DEFAULTS);
        server = new RelayServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                RelayCredentials.forBind("127.0.0.1", mesh.issueForRegions("eu-west-1", REGION))),
                new RelayService(REGION, "eu-west-1", region.member(0).store())).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (region != null) {
            region.close();
        }
    }

    @Test
    void aHelloClaimingAnotherRegionThanTheCertificateNamesIsRefused() throws Exception {
        ManagedChannel usEast = channel(mesh.issueForRegions("us-east-1", "us-east"));
        try {
            Outcome spoofed = hello(usEast, "ap-south");
            assertEquals(Status.Code.PERMISSION_DENIED, spoofed.failure.getCode(), spoofed.failure.toString());
            assertTrue(spoofed.failure.getDescription().contains("ap-south"), spoofed.failure.getDescription());

            Outcome honest = hello(usEast, "us-east");
            assertEquals(REGION, honest.reply.getHello().getRegion(), "control: the certificate's own region links");
        } finally {
            usEast.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCertificateNamingNoRegionClaimsNone() throws Exception {
        ManagedChannel anonymous = channel(mesh.issue("no-region"));
        try {
            assertEquals(Status.Code.PERMISSION_DENIED, hello(anonymous, REGION).failure.getCode());
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
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port(), LinkTls.load(client).channelCredentials())
                .build();
    }

    private record Outcome(LinkFrame reply, Status failure) {
    }

    /** Opens a link, sends one Hello, and returns the first answer: a Hello back or the stream's failure. */
    private static Outcome hello(ManagedChannel channel, String claimedRegion) throws InterruptedException {
        BlockingQueue<Outcome> outcome = new LinkedBlockingQueue<>();
        StreamObserver<LinkFrame> out = RelayGrpc.newStub(channel).link(new StreamObserver<>() {
            @Override
            public void onNext(LinkFrame frame) {
                outcome.add(new Outcome(frame, null));
            }

            @Override
            public void onError(Throwable t) {
                outcome.add(new Outcome(null, Status.fromThrowable(t)));
            }

            @Override
            public void onCompleted() {
                outcome.add(new Outcome(null, Status.OK));
            }
        });
        out.onNext(LinkFrame.newBuilder().setHello(Hello.newBuilder().setRegion(claimedRegion)
                .setNode(claimedRegion + "-9").setProtocol(1)).build());
        Outcome first = outcome.poll(20, TimeUnit.SECONDS);
        out.onCompleted();
        if (first == null) {
            throw new AssertionError("no answer to the Hello within 20 s");
        }
        return first;
    }
}
