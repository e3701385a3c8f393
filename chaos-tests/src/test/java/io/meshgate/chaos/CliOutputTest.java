package io.meshgate.chaos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What scripts capture from {@code gateway.jar}: a command's result is its standard output and nothing else. An
 * outside check found {@code TOKEN=$(gateway.jar token --config ...)} capturing a log line of the mesh TLS set-up
 * before the token whenever the configuration has {@code mesh.tls}. Run as a user runs it: the built jar in its own
 * process, with a certificate made by the JDK's keytool.
 */
class CliOutputTest {

    @Test
    void tokenPrintsTheTokenAloneOnStandardOutputWithMeshTlsConfigured(@TempDir Path dir) throws Exception {
        Path config = configWithMeshTls(dir);
        Run run = run(dir, "token", "--config", config.toString(), "--sub", "alice", "--subscribe", "chat:*");

        assertEquals(0, run.exit, run.toString());
        List<String> lines = run.stdout.lines().toList();
        assertEquals(1, lines.size(), "stdout must be the token alone: " + run);
        assertTrue(lines.get(0).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), "a JWT: " + run);
    }

    private static Path configWithMeshTls(Path dir) throws Exception {
        Path keystore = dir.resolve("n1.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process made = new ProcessBuilder(keytool, "-genkeypair", "-alias", "n1", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=n1,OU=r1", "-ext", "san=ip:127.0.0.1", "-ext",
                "eku=serverAuth,clientAuth", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit").redirectErrorStream(true).start();
        String keytoolSaid = new String(made.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(made.waitFor(60, TimeUnit.SECONDS) && made.exitValue() == 0, "keytool: " + keytoolSaid);

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        Key key = store.getKey("n1", "changeit".toCharArray());
        Certificate cert = store.getCertificate("n1");
        Files.writeString(dir.resolve("n1.key"), pem("PRIVATE KEY", key.getEncoded()));
        Files.writeString(dir.resolve("n1.crt"), pem("CERTIFICATE", cert.getEncoded()));

        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                regions:
                  - name: r1
                    nodes:
                      - {name: n1, host: 127.0.0.1, edgePort: 18481, relayPort: 19481, clusterPort: 15481}
                auth:
                  mode: jwt
                  hs256Secret: "a-test-secret-of-at-least-32-bytes-long"
                mesh:
                  tls:
                    certChainFile: n1.crt
                    privateKeyFile: n1.key
                    trustCaFile: n1.crt
                """);
        return config;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private record Run(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    private static Run run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(GatewayProcess.javaCommand("-Xmx128m"));
        command.addAll(List.of("-jar", GatewayProcess.jar().toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("gateway.jar " + String.join(" ", args) + " did not end within 120 s");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
