package io.meshgate.edge.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edge with a certificate serves wss:// and https:// only; certificates come from the JDK's keytool. */
class TlsTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    static Path keystore;
    static HttpClient trusting;

    @BeforeAll
    static void makeCertificate() throws Exception {
        keystore = dir.resolve("edge.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "edge", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "keytool failed: " + output);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("edge", load().getCertificate("edge"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        trusting = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static KeyStore load() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    @Test
    void pkcs12KeystoreServesWssAndHttps() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).tls(TlsSettings.pkcs12(keystore, PASSWORD)).start()) {
            roundTrip(region);
        }
    }

    @Test
    void pemCertificateAndKeyServeWssAndHttps() throws Exception {
        KeyStore store = load();
        Path cert = dir.resolve("edge.crt");
        Path key = dir.resolve("edge.key");
        Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n"
                + pem.encodeToString(store.getCertificate("edge").getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + pem.encodeToString(store.getKey("edge", PASSWORD.toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        try (TestRegion region = TestRegion.nodes(1).tls(TlsSettings.pem(cert, key)).start()) {
            roundTrip(region);
        }
    }

    @Test
    void unusableKeyFileIsANamedError() throws IOException {
        Path cert = dir.resolve("bad.crt");
        Path key = dir.resolve("bad.key");
        Files.writeString(cert, "not a certificate");
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsContexts.create(TlsSettings.pem(cert, key)));
        assertTrue(e.getMessage().contains("tls.certFile"), e.getMessage());
    }

    private static void roundTrip(TestRegion region) throws Exception {
        String https = region.httpUrl(0);
        String wss = region.wsUrl(0);
        assertTrue(https.startsWith("https://127.0.0.1:"), https);
        assertTrue(wss.startsWith("wss://127.0.0.1:"), wss);

        HttpResponse<String> regions = trusting.send(HttpRequest.newBuilder(URI.create(https + "/v1/regions"))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = new ObjectMapper().readTree(regions.body());
        assertTrue(body.get("regions").get(0).get("ws").asText().startsWith("wss://"), regions.body());
        assertTrue(body.get("regions").get(0).get("http").asText().startsWith("https://"), regions.body());

        String token = new TokenMinter(TestRegion.SECRET).mint("tls", List.of("*"), List.of("*"),
                Duration.ofMinutes(5));
        try (WsClient client = WsClient.open(wss, trusting)) {
            client.send("{\"op\":\"connect\",\"token\":\"" + token + "\"}");
            assertNotNull(client.awaitOp("connected"));
            client.send("{\"op\":\"sub\",\"ch\":\"tls:a\"}");
            assertNotNull(client.awaitOp("subscribed"));
            client.send("{\"op\":\"pub\",\"ch\":\"tls:a\",\"id\":\"t1\",\"data\":\"secret\"}");
            assertEquals("secret", client.awaitOp("msg").get("data").asText());
        }

        String plain = "http" + https.substring(5);
        assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(plain + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()), "plain HTTP must not be served on a TLS edge");
    }
}
