package io.meshgate.browser;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;

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
                    List<String> live = attributes("circle[data-region]", "data-live");
                    List<String> links = attributes("line[data-state='up']", "data-state");
                    return live.size() == 3 && links.size() == 3 && live.stream().allMatch("true"::equals);
                });
        Set<String> regions = Set.copyOf(attributes("circle[data-region]", "data-region"));
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

    /**
     * {@code attribute} of every element matching {@code css}, read in one script: the page redraws its map on every
     * new picture, so elements found by one WebDriver call can be gone (stale) by the next.
     */
    @SuppressWarnings("unchecked")
    private List<String> attributes(String css, String attribute) {
        return (List<String>) browser.driver.executeScript("return Array.from(document.querySelectorAll(arguments[0]))"
                + ".map(e => e.getAttribute(arguments[1]));", css, attribute);
    }
}
