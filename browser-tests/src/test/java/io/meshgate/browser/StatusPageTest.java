package io.meshgate.browser;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page of a node, in headless Chromium: it renders the deployment's three regions, all live, joined by
 * links that are up with their RTTs, keeps updating from its event stream, and leaves a screenshot in
 * {@code target/status-page.png} for whoever reads the test output.
 */
class StatusPageTest extends SharedGatewayTest {

    @Test
    void rendersTheThreeRegionsLiveAndKeepsUpdating() throws Exception {
        browser.driver.get(gateway.nodeUrl("eu-west-1") + "/status");
        await("three live regions joined by three up links").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    List<WebElement> circles = browser.driver.findElements(By.cssSelector("circle[data-region]"));
                    List<WebElement> links = browser.driver.findElements(By.cssSelector("line[data-state='up']"));
                    return circles.size() == 3 && links.size() == 3 && circles.stream()
                            .allMatch(c -> "true".equals(c.getAttribute("data-live")));
                });
        Set<String> regions = browser.driver.findElements(By.cssSelector("circle[data-region]")).stream()
                .map(c -> c.getAttribute("data-region")).collect(Collectors.toSet());
        assertEquals(Set.of("us-east", "eu-west", "ap-south"), regions);
        String matrix = browser.driver.findElement(By.id("matrix")).getText();
        assertTrue(matrix.contains("us-east") && matrix.contains("ap-south"), matrix);
        String nodes = browser.driver.findElement(By.id("nodes")).getText();
        assertTrue(nodes.contains("eu-west-1") && nodes.contains("eu-west-2"), "both nodes of the region: " + nodes);

        String first = browser.driver.findElement(By.tagName("body")).getAttribute("data-rendered");
        await("a newer picture arrives over the stream").atMost(Duration.ofSeconds(15))
                .until(() -> !first.equals(browser.driver.findElement(By.tagName("body"))
                        .getAttribute("data-rendered")));

        Path shot = Path.of("target", "status-page.png");
        Files.createDirectories(shot.getParent());
        Files.copy(browser.driver.getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(shot) > 10_000, "a real screenshot: " + Files.size(shot) + " bytes");
    }
}
