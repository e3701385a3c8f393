package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.link.LinkTls;
import io.meshgate.relay.link.LinkTlsSettings;
import io.meshgate.relay.testkit.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The mesh with mutual TLS on every relay port, with certificates this test generates. */
class MeshTlsTest {
    @TempDir
    Path dir;

    @Test
    void regionsLinkOverMutualTlsAndARelayPortRefusesClientsWithoutTheMeshCertificate() {
        // One file serves every node of the test, so its certificate names every region it may speak for.
        LinkTlsSettings node = TestCertificates.authority(dir, "mesh").issueForRegions("node", "us-east", "eu-west",
                "ap-south");
        LinkTlsSettings stranger = TestCertificates.authority(dir, "other").issue("stranger");
        String tls = """
                mesh:
                  tls:
                    certChainFile: "%s"
                    privateKeyFile: "%s"
                    trustCaFile: "%s"
                """.formatted(node.certChainPem(), node.privateKeyPem(), node.trustCaPem());
        try (MeshCluster mesh = new MeshCluster(1, tls)) {
            try (WsClient sub = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null);
                 WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
                sub.send("{\"op\":\"sub\",\"ch\":\"chat:tls\"}");
                assertNotNull(sub.awaitOp("subscribed"));
                pub.send("{\"op\":\"pub\",\"ch\":\"chat:tls\",\"id\":\"secure-1\",\"data\":\"over mTLS\"}");
                assertNotNull(pub.awaitOp("ack"));
                JsonNode msg = sub.awaitOp("msg");
                assertNotNull(msg, "the message crossed the TLS links");
                assertEquals("secure-1", msg.path("id").asText());
            }
            int relayPort = mesh.node("eu-west", 0).relayPort();
            assertRefused(LinkTls.insecureChannel(), relayPort);
            assertRefused(LinkTls.load(stranger).channelCredentials(), relayPort);
            RangeReply control = call(LinkTls.load(node).channelCredentials(), relayPort);
            assertEquals("", control.getError(), "a client with the mesh's certificate gets in (control)");
            assertEquals(0, control.getHead().getSeq());
        }
    }

    private static void assertRefused(ChannelCredentials credentials, int port) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> call(credentials, port));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), "refused by the TLS handshake");
    }

    /** A raw gRPC read: a range request for the answering region itself, handed in with {@code Forward}. */
    private static RangeReply call(ChannelCredentials credentials, int port) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
        try {
            return RelayGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .forward(LinkFrame.newBuilder().setTarget("eu-west").setRangeRequest(RangeRequest.newBuilder()
                            .setChannel("chat:none").setAfterSeq(0)).build())
                    .getRangeReply();
        } finally {
            channel.shutdownNow();
        }
    }
}
