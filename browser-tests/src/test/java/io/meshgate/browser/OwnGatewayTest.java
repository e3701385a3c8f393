package io.meshgate.browser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Tests that take a node out (kill, drain) and so start a three-region gateway of their own, with a fresh Chromium.
 * Classes run one after another, so the static fields belong to the class that runs.
 */
abstract class OwnGatewayTest {
    static BrowserGateway gateway;
    static Browser browser;

    @BeforeAll
    static void startGatewayAndBrowser() {
        gateway = BrowserGateway.start();
        browser = Browser.start();
    }

    @AfterAll
    static void stopGatewayAndBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }
}
