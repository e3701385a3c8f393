package io.meshgate.browser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tests that share the module's one three-region gateway ({@link SharedGateway}) and get a fresh Chromium per class.
 * Classes run one after another, so the static fields belong to the class that runs.
 */
@ExtendWith(SharedGateway.class)
abstract class SharedGatewayTest {
    static BrowserGateway gateway;
    static Browser browser;

    @BeforeAll
    static void startBrowser(BrowserGateway shared) {
        gateway = shared;
        browser = Browser.start();
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }
}
