package io.meshgate.relay.link;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.testkit.InsistentKeyManager;
import io.meshgate.relay.testkit.TestCertificates;
import io.meshgate.relay.testkit.TestCertificates.KeyType;
import io.meshgate.relay.testkit.TestCertificates.Leaf;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mutual TLS on relay links, over real Netty sockets on 127.0.0.1, with certificates made for each run. */
class LinkTlsTest {
    private static final long DEADLINE_SECONDS = 5;

    @TempDir
    static Path dir;
    private static TestCertificates mesh;
    private static TestCertificates rogue;
    private static Server server;
    /** The certificate subject the server saw on the last call; null when no call reached it. */
    private static final AtomicReference<String> clientSeen = new AtomicReference<>();

    @BeforeAll
    static void start() throws IOException {
        mesh = TestCertificates.authority(dir, "mesh");
        rogue = TestCertificates.authority(dir, "rogue");
        server = startServer(LinkTls.load(mesh.issue("server")).serverCredentials());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void forgetClient() {
        clientSeen.set(null);
    }

    @Test
    void clientCertifiedByTheMeshCaCompletesAnRpc() {
        ChannelCredentials client = LinkTls.load(mesh.issue("eu-west-1")).channelCredentials();

        assertEquals(7, echo(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort(), client)));
        assertEquals("CN=eu-west-1", clientSeen.get(), "the server saw the client's certificate");
    }

    @Test
    void clientDialingByDnsNameVerifiesTheServerUnderThatName() {
        ChannelCredentials client = LinkTls.load(mesh.issue("dns-client")).channelCredentials();

        assertEquals(7, echo(Grpc.newChannelBuilderForAddress("localhost", server.getPort(), client)));
    }

    @Test
    void rsaCertificatesWorkLikeEcOnes() {
        LinkTlsSettings rsa = mesh.issue("rsa-client", Leaf.loopback().withKeyType(KeyType.RSA_2048));

        assertEquals(7, echo(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort(),
                LinkTls.load(rsa).channelCredentials())));
        assertEquals("CN=rsa-client", clientSeen.get());
    }

    @Test
    void clientWithoutCertificateIsRefused() throws IOException {
        ChannelCredentials noCertificate = TlsChannelCredentials.newBuilder().trustManager(mesh.caPem().toFile())
                .build();

        assertEquals(Status.Code.UNAVAILABLE,
                failure(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort(), noCertificate)));
        assertNull(clientSeen.get(), "the call never reached the service");
    }

    @Test
    void clientCertifiedByAnotherCaIsRefused() throws Exception {
        LinkTlsSettings intruder = rogue.issue("intruder");
        // It trusts the mesh CA, so it accepts the server: only the server's check can stop it.
        LinkTls polite = LinkTls.load(new LinkTlsSettings(intruder.certChainPem(), intruder.privateKeyPem(),
                mesh.caPem()));
        ChannelCredentials insistent = TlsChannelCredentials.newBuilder().keyManager(InsistentKeyManager.of(intruder))
                .trustManager(mesh.caPem().toFile()).build();

        // A stock key manager withholds a certificate the server's CA list does not name; a hostile one sends it.
        for (ChannelCredentials client : List.of(polite.channelCredentials(), insistent)) {
            assertEquals(Status.Code.UNAVAILABLE,
                    failure(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort(), client)));
            assertNull(clientSeen.get());
        }
        // Control: the same hostile key manager with a mesh certificate gets in, so the CA was what stopped it.
        ChannelCredentials member = TlsChannelCredentials.newBuilder()
                .keyManager(InsistentKeyManager.of(mesh.issue("insistent-member")))
                .trustManager(mesh.caPem().toFile()).build();
        assertEquals(7, echo(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort(), member)));
        assertEquals("CN=insistent-member", clientSeen.get());
    }

    @Test
    void plaintextClientIsRefused() {
        assertEquals(Status.Code.UNAVAILABLE, failure(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort(),
                LinkTls.insecureChannel())));
        assertNull(clientSeen.get());
    }

    @Test
    void clientRefusesServerCertifiedByAnotherCa() throws Exception {
        LinkTlsSettings impostor = rogue.issue("impostor");
        Server impostorServer = startServer(LinkTls.load(new LinkTlsSettings(impostor.certChainPem(),
                impostor.privateKeyPem(), mesh.caPem())).serverCredentials());
        try {
            ChannelCredentials client = LinkTls.load(mesh.issue("careful-client")).channelCredentials();

            assertEquals(Status.Code.UNAVAILABLE,
                    failure(NettyChannelBuilder.forAddress("127.0.0.1", impostorServer.getPort(), client)));
            assertNull(clientSeen.get());
        } finally {
            impostorServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientRefusesServerWhoseCertificateNamesAnotherHost() throws Exception {
        LinkTlsSettings elsewhere = mesh.issue("elsewhere",
                Leaf.loopback().withNames(List.of("elsewhere.invalid"), List.of()));
        Server misnamed = startServer(LinkTls.load(elsewhere).serverCredentials());
        try {
            ChannelCredentials client = LinkTls.load(mesh.issue("naming-client")).channelCredentials();

            assertEquals(Status.Code.UNAVAILABLE,
                    failure(NettyChannelBuilder.forAddress("127.0.0.1", misnamed.getPort(), client)));
            // Same certificates, verified under the name the certificate carries: the name was the only problem.
            assertEquals(7, echo(NettyChannelBuilder.forAddress("127.0.0.1", misnamed.getPort(), client)
                    .overrideAuthority("elsewhere.invalid")));
        } finally {
            misnamed.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void missingFileIsNamed() {
        LinkTlsSettings node = mesh.issue("missing");
        Path absent = dir.resolve("absent.crt");

        String message = loadFailure(new LinkTlsSettings(absent, node.privateKeyPem(), node.trustCaPem()));

        assertTrue(message.contains("certChainPem " + absent + ": file does not exist"), message);
    }

    @Test
    void directoryIsNamed() {
        LinkTlsSettings node = mesh.issue("directory");

        String message = loadFailure(new LinkTlsSettings(node.certChainPem(), node.privateKeyPem(), dir));

        assertTrue(message.contains("trustCaPem " + dir + ": is a directory"), message);
    }

    @Test
    void nonPemFileIsNamed() throws IOException {
        LinkTlsSettings node = mesh.issue("garbage");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "this is not a certificate\n");

        String message = loadFailure(new LinkTlsSettings(node.certChainPem(), node.privateKeyPem(), garbage));

        assertTrue(message.contains("trustCaPem " + garbage + ": no -----BEGIN CERTIFICATE----- block"), message);
    }

    @Test
    void corruptCertificateBlockIsNamed() throws IOException {
        LinkTlsSettings node = mesh.issue("corrupt");
        Path corrupt = TestCertificates.write(dir.resolve("corrupt.crt"), "CERTIFICATE", new byte[] {1, 2, 3, 4});

        String message = loadFailure(new LinkTlsSettings(corrupt, node.privateKeyPem(), node.trustCaPem()));

        assertTrue(message.contains("certChainPem " + corrupt + ": certificate 1 is not a valid X.509"), message);
    }

    @Test
    void pkcs1AndSec1KeysAreRefusedWithTheConversionToUse() throws Exception {
        LinkTlsSettings node = mesh.issue("traditional");
        for (KeyType type : KeyType.values()) {
            Path traditional = dir.resolve("traditional-" + type + ".key");
            writeTraditional(traditional, TestCertificates.generate(type).getPrivate());

            String message = loadFailure(new LinkTlsSettings(node.certChainPem(), traditional, node.trustCaPem()));

            assertTrue(message.contains("privateKeyPem " + traditional + ": "), message);
            assertTrue(message.contains("openssl pkcs8 -topk8 -nocrypt -in " + traditional), message);
        }
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
        LinkTlsSettings node = mesh.issue("owner");
        LinkTlsSettings other = mesh.issue("other");

        String message = loadFailure(new LinkTlsSettings(node.certChainPem(), other.privateKeyPem(),
                node.trustCaPem()));

        assertTrue(message.contains("privateKeyPem " + other.privateKeyPem()
                + ": is not the key of the certificate in " + node.certChainPem()), message);
    }

    @Test
    void expiredCertificateIsRefused() {
        Instant now = Instant.now();
        LinkTlsSettings expired = mesh.issue("expired",
                Leaf.loopback().validBetween(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));

        String message = loadFailure(expired);

        assertTrue(message.contains("certChainPem " + expired.certChainPem() + ": certificate CN=expired expired at"),
                message);
    }

    private static Server startServer(ServerCredentials credentials) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
                .addService(ServerInterceptors.intercept(new EchoRelay(), new RecordClientCertificate()))
                .build().start();
    }

    /** One {@code Forward} call carrying request id 7; returns the request id of the frame the server echoed. */
    private static long echo(ManagedChannelBuilder<?> builder) {
        ManagedChannel channel = builder.build();
        try {
            return RelayGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .forward(LinkFrame.newBuilder().setRangeRequest(RangeRequest.newBuilder().setChannel("tls")
                            .setRequestId(7)).build())
                    .getRangeRequest().getRequestId();
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(DEADLINE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Status.Code failure(ManagedChannelBuilder<?> builder) {
        return assertThrows(StatusRuntimeException.class, () -> echo(builder)).getStatus().getCode();
    }

    private static String loadFailure(LinkTlsSettings settings) {
        return assertThrows(IllegalArgumentException.class, () -> LinkTls.load(settings)).getMessage();
    }

    /** BouncyCastle writes a bare private key the OpenSSL-traditional way: PKCS#1 for RSA, SEC1 for EC. */
    private static void writeTraditional(Path file, PrivateKey key) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(key);
        }
    }

    /** Answers Forward with the frame it got: enough to show a call crossed the link both ways. */
    private static final class EchoRelay extends RelayGrpc.RelayImplBase {
        @Override
        public void forward(LinkFrame request, StreamObserver<LinkFrame> responses) {
            responses.onNext(request);
            responses.onCompleted();
        }
    }

    private static final class RecordClientCertificate implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            try {
                clientSeen.set(session == null ? "no TLS session" : session.getPeerPrincipal().getName());
            } catch (SSLPeerUnverifiedException e) {
                clientSeen.set("no client certificate");
            }
            return next.startCall(call, headers);
        }
    }
}
