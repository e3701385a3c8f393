package io.meshgate.regions.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image tarball as a container runtime would read it (Docker's {@code load} format: manifest.json,
 * the config, one gzipped tar per layer): it runs as a non-root user, its entrypoint is the gateway on the image's
 * own Java runtime with container-aware memory flags, and that runtime really starts the gateway from the
 * unpacked layers. Run by the regions module's {@code image} profile right after Jib builds the tarball.
 */
class ImageTarballTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    private static JsonNode config;
    private static Path rootfs;

    @BeforeAll
    static void unpack() throws Exception {
        Path tar = Path.of(System.getProperty("meshgate.image.tar", "target/gateway-image.tar"));
        assertTrue(Files.isRegularFile(tar), tar + " was not built");
        Path image = Files.createDirectories(work.resolve("image"));
        run(List.of("tar", "-xf", tar.toString(), "-C", image.toString()));
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(image.resolve(manifest.get("Config").asText()).toFile());
        rootfs = Files.createDirectories(work.resolve("rootfs"));
        for (JsonNode layer : manifest.get("Layers")) {
            run(List.of("tar", "-xzf", image.resolve(layer.asText()).toString(), "-C", rootfs.toString()));
        }
    }

    @Test
    void runsAsTheNonRootUserItDeclares() throws IOException {
        String user = config.path("config").path("User").asText();
        assertEquals("10001:10001", user);
        assertNotEquals("0", user.split(":")[0]);
        String passwd = Files.readString(rootfs.resolve("etc/passwd"));
        assertTrue(passwd.contains("meshgate:x:10001:10001:"), passwd);
    }

    @Test
    void theEntrypointIsTheGatewayOnTheImagesJavaWithContainerAwareMemory() {
        List<String> entrypoint = entrypoint();
        assertEquals("/opt/java/bin/java", entrypoint.get(0));
        assertTrue(entrypoint.contains("-XX:MaxRAMPercentage=75"), entrypoint.toString());
        assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), entrypoint.toString());
        assertTrue(entrypoint.stream().noneMatch(a -> a.startsWith("-Xmx")), "a fixed heap ignores the limit");
        assertEquals("io.meshgate.regions.cli.Main", entrypoint.get(entrypoint.size() - 1));
        assertEquals("help", config.path("config").path("Cmd").get(0).asText());
        assertTrue(Files.isRegularFile(rootfs.resolve("opt/java/bin/java")));
        assertTrue(Files.isRegularFile(rootfs.resolve("app/jib-classpath-file")));
    }

    /** The image's own runtime and C libraries, run from the unpacked layers, start the gateway's command line. */
    @Test
    void theImagesRuntimeStartsTheGateway() throws Exception {
        List<String> entrypoint = entrypoint();
        String classpath = Files.readString(rootfs.resolve("app/jib-classpath-file")).trim()
                .replace("/app/", rootfs.resolve("app") + "/");
        Path argfile = Files.writeString(work.resolve("classpath"), classpath);
        List<String> command = new ArrayList<>(List.of(
                rootfs.resolve("lib64/ld-linux-x86-64.so.2").toString(), "--library-path",
                rootfs.resolve("lib/x86_64-linux-gnu") + ":" + rootfs.resolve("usr/lib/x86_64-linux-gnu"),
                rootfs.resolve("opt/java/bin/java").toString()));
        for (String arg : entrypoint.subList(1, entrypoint.size())) {
            command.add(arg.equals("@/app/jib-classpath-file") ? "@" + argfile : arg);
        }
        command.add("help");
        String out = run(command);
        assertTrue(out.contains("Usage: java -jar gateway.jar <command>"), out);
    }

    private static List<String> entrypoint() {
        List<String> out = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(a -> out.add(a.asText()));
        return out;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), command + ":\n" + text);
        return text;
    }
}
