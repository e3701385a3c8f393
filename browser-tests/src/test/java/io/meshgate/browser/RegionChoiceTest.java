package io.meshgate.browser;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regions that differ in latency: the page is loaded from us-east (+150 ms), /v1/regions lists ap-south (+300 ms)
 * first, and the client must still connect to eu-west, the one with the lowest median RTT.
 */
class RegionChoiceTest extends SharedGatewayTest {
    @Test
    void theClientConnectsToTheLowestRttRegionNotTheSeedNorTheFirstListed() {
        DemoPage page = browser.open(gateway.url("us-east") + "/demo?name=carol").awaitConnected();

        assertEquals("eu-west", page.region());
        assertTrue(page.node().startsWith("eu-west-"), page.node());
        Map<String, Object> rtts = page.rtts();
        assertEquals(Set.of("ap-south", "eu-west", "us-east"), rtts.keySet(), rtts.toString());
        double eu = ((Number) rtts.get("eu-west")).doubleValue();
        double us = ((Number) rtts.get("us-east")).doubleValue();
        double ap = ((Number) rtts.get("ap-south")).doubleValue();
        assertTrue(eu < us && us < ap, "measured RTTs follow the injected latency: " + rtts);

        assertEquals("eu-west", browser.driver.findElement(By.cssSelector("#rtts tr.chosen")).getAttribute("data-region"),
                "the page marks the chosen region in its RTT table");
        assertEquals(3, browser.driver.findElements(By.cssSelector("#rtts tbody tr")).size());
        assertTrue(page.events("region").get(0).startsWith("(none) → eu-west"), page.events("region").toString());
    }
}
