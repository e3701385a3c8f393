package io.meshgate.chaos.faults;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

import java.io.IOException;

/**
 * Starts the Toxiproxy the chaos tests inject faults through: a real one in a container where a Docker engine exists,
 * otherwise the in-JVM {@link FaultProxyServer}. Never skips: without Docker the tests still run, and the log says
 * which one they ran against.
 */
public final class Toxiproxies {
    private static final Logger log = LoggerFactory.getLogger(Toxiproxies.class);
    /** The Toxiproxy image, set by the build from the parent pom's {@code toxiproxy.image} property. */
    static final String IMAGE_PROPERTY = "meshgate.toxiproxy.image";

    private Toxiproxies() {
    }

    public static ToxiproxyHandle start() throws IOException {
        ToxiproxyHandle handle;
        if (DockerClientFactory.instance().isDockerAvailable()) {
            String image = System.getProperty(IMAGE_PROPERTY, "");
            if (image.isBlank()) {
                throw new IllegalStateException("Docker is available but system property " + IMAGE_PROPERTY
                        + " (the Toxiproxy image) is not set; run through Maven, or set it");
            }
            handle = ContainerToxiproxy.start(image);
            log.info("chaos faults: Docker is available; faults go through a real Toxiproxy: {}", handle.description());
        } else {
            handle = InJvmToxiproxy.start();
            log.info("chaos faults: no Docker engine; faults go through the {}", handle.description());
        }
        return handle;
    }
}
