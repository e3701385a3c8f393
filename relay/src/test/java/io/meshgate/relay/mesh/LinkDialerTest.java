package io.meshgate.relay.mesh;

import io.grpc.ConnectivityState;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.link.MeshEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The dialer over real gRPC on 127.0.0.1: a peer node that was unreachable (restarting) leaves the dialer's channel
 * to it in TRANSIENT_FAILURE. When the node listens again and the dialer dials it (as after a goodbye naming it the
 * new leader), the first attempt must link, not fail at once with the old connect error: in a rolling drain, links
 * to a new leader failed that way four times in two seconds while the region's acks waited.
 */
class LinkDialerTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final MeshSettings settings = new MeshSettings("us-east",
            Map.of("eu-west", List.of(), "ap-south", List.of()), Durability.REGION, 500, 3, 2, 100, 5_000, 5_000,
            2_000, Map.of(), null);
    private Server server;
    private LinkDialer dialer;

    @AfterEach
    void stop() throws InterruptedException {
        if (dialer != null) {
            dialer.stop();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        timer.shutdownNow();
    }

    @Test
    void theFirstAttemptAfterThePeerIsBackLinksThoughTheChannelHadFailed() throws Exception {
        int port = freePort();
        PeerAddress address = new PeerAddress("127.0.0.1", port);
        CompletableFuture<String> linkedTo = new CompletableFuture<>();
        dialer = new LinkDialer("eu-west", List.of(address), settings, InsecureChannelCredentials.create(), timer,
                Hello.newBuilder().setRegion("us-east").setNode("us-east-1").setProtocol(MeshEndpoint.LINK_PROTOCOL)
                        .build(), new LinkDialer.Callbacks() {
                    @Override
                    public MeshLink established(String peerRegion, String peerNode,
                                                ClientCallStreamObserver<LinkFrame> out) {
                        linkedTo.complete(peerNode);
                        return new MeshLink(peerRegion, peerNode, out, timer, 100, 0,
                                new LinkHealth(peerRegion, 3, 2, (region, state) -> { }),
                                new Faults(settings.peers().keySet(), new java.util.Random(1)));
                    }

                    @Override
                    public void onFrame(MeshLink link, LinkFrame frame) {
                    }

                    @Override
                    public void closed(MeshLink link, Throwable cause) {
                    }
                });
        // Standby connection to a node that is down: its connect fails.
        dialer.keepConnected();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> dialer.state(address) == ConnectivityState.TRANSIENT_FAILURE);

        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new HelloingPeer("eu-west", "eu-west-2")).build().start();
        dialer.start();

        assertEquals("eu-west-2", linkedTo.get(10, TimeUnit.SECONDS));
        assertEquals(0, dialer.failedAttempts(), "the first attempt linked");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A peer region's leader, as far as a link's opening goes: answers a Hello with its own. */
    private static final class HelloingPeer extends RelayGrpc.RelayImplBase {
        private final String region;
        private final String node;

        HelloingPeer(String region, String node) {
            this.region = region;
            this.node = node;
        }

        @Override
        public StreamObserver<LinkFrame> link(StreamObserver<LinkFrame> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(LinkFrame frame) {
                    if (frame.hasHello()) {
                        responses.onNext(LinkFrame.newBuilder().setHello(Hello.newBuilder().setRegion(region)
                                .setNode(node).setProtocol(MeshEndpoint.LINK_PROTOCOL)).build());
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }
}
