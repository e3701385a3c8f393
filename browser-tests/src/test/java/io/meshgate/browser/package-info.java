/**
 * The JavaScript client and the demo page in a real browser: headless Chromium, driven through Debian's
 * chromedriver, against three regions joined by the mesh in the test JVM ({@link io.meshgate.browser.BrowserGateway}).
 * The slower regions sit behind latency proxies, every region behind a reverse proxy that can refuse WebSocket
 * upgrades, so region choice, node failure and the long-poll fallback are tested as a browser meets them.
 */
package io.meshgate.browser;
