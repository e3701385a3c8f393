package io.meshgate.regions.mesh;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshgate.edge.testing.Http;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 13: every change of channel homes is logged with who asked and why, in every region that applies it, not
 * only on the node that took the admin call. Three one-node regions in this JVM over real gRPC; the admin API as
 * the CLI calls it; the log captured with a Logback {@link ListAppender}.
 */
class HomeChangeLogTest {

    /**
     * A failover decided in us-east and a pin decided there are logged by eu-west and ap-south as they adopt the new
     * version, with the caller and the reason. Before, the other regions logged only the version and its author.
     */
    @Test
    void otherRegionsLogWhoAndWhyOfAHomeChange() {
        Logger log = (Logger) LoggerFactory.getLogger("io.meshgate.relay.mesh.HomeControl");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try (MeshCluster mesh = new MeshCluster(1, null)) {
            Http usEast = new Http(mesh.node("us-east", 0).httpUrl());
            Http.Reply failover = usEast.post("/admin/failover?region=ap-south&reason=provider+incident+INC-9", null,
                    "");
            assertEquals(200, failover.status(), failover.toString());
            for (String region : List.of("eu-west", "ap-south")) {
                await(region + " logs who and why of the failover").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100)).until(() -> logs(logged, "region " + region + " adopted",
                                "EVACUATE ap-south", "/127.0.0.1", "provider incident INC-9"));
            }

            Http.Reply pin = usEast.post("/admin/pin?channel=chat:hot&region=eu-west&reason=OPS-7", null, "");
            assertEquals(200, pin.status(), pin.toString());
            await("ap-south logs who and why of the pin").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).until(() -> logs(logged, "region ap-south adopted",
                            "PIN eu-west channel chat:hot", "/127.0.0.1", "OPS-7"));
        } finally {
            log.detachAppender(logged);
        }
    }

    private static boolean logs(ListAppender<ILoggingEvent> logged, String... parts) {
        synchronized (logged) {
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> java.util.Arrays.stream(parts).allMatch(m::contains));
        }
    }
}
