package io.meshgate.browser;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;

/**
 * The demo page in one browser tab. It reads what the page shows and what its client decided through
 * {@code window.meshgateDemo} (the page exposes it), and chats through the page's own form.
 */
final class DemoPage {
    /** Long enough for a reconnect through backoff on a loaded 2-core machine; conditions usually hold in ms. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private final ChromeDriver driver;
    private final String window;

    DemoPage(ChromeDriver driver, String window) {
        this.driver = driver;
        this.window = window;
    }

    /** One message the page handed to the chat, as the page recorded it. */
    record Received(String epoch, long seq, String id, String name, String text, String sentFrom, String receivedIn) {
    }

    Object js(String script, Object... args) {
        driver.switchTo().window(window);
        return driver.executeScript(script, args);
    }

    private String client(String property) {
        return (String) js("const c = window.meshgateDemo && window.meshgateDemo.client; return c ? c[arguments[0]] : null;",
                property);
    }

    String state() {
        return client("state");
    }

    String region() {
        return client("region");
    }

    String transport() {
        return client("transport");
    }

    String node() {
        return client("node");
    }

    /** Region → median RTT in ms (null when unreachable), as the client measured them. */
    @SuppressWarnings("unchecked")
    Map<String, Object> rtts() {
        return (Map<String, Object>) js("return window.meshgateDemo.client.rtts;");
    }

    DemoPage awaitConnected() {
        awaitUntil("the page's client is connected", () -> "connected".equals(state()));
        return this;
    }

    /**
     * Waits until the page's subscription knows its starting position (the head from {@code subscribed} or the
     * long-poll heads): from then on every message published is delivered to it.
     */
    DemoPage awaitSubscribed() {
        awaitUntil("the page's subscription has its position", () -> Boolean.TRUE.equals(
                js("const s = window.meshgateDemo.subscription; return !!(s && s.position);")));
        return this;
    }

    /** Types {@code text} into the chat box and presses Send, as a person would. */
    void say(String text) {
        driver.switchTo().window(window);
        WebElement box = driver.findElement(By.id("text"));
        box.sendKeys(text);
        driver.findElement(By.id("send")).click();
    }

    /** Picks a transport in the page's selector, as a person would; the page reconnects with it. */
    void chooseTransport(String transport) {
        driver.switchTo().window(window);
        driver.findElement(By.cssSelector("#transport option[value='" + transport + "']")).click();
    }

    @SuppressWarnings("unchecked")
    List<Received> received() {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) js("""
                return window.meshgateDemo.received.map(m => ({
                  epoch: m.epoch, seq: m.seq, id: m.id, receivedIn: m.receivedIn,
                  name: m.data && m.data.name, text: m.data && m.data.text, region: m.data && m.data.region }));""");
        List<Received> out = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            out.add(new Received((String) r.get("epoch"), ((Number) r.get("seq")).longValue(), (String) r.get("id"),
                    (String) r.get("name"), (String) r.get("text"), (String) r.get("region"),
                    (String) r.get("receivedIn")));
        }
        return out;
    }

    /** The first message with this text, once the page shows it. */
    Received awaitMessage(String text) {
        awaitUntil("the page shows \"" + text + "\"", () -> received().stream().anyMatch(m -> text.equals(m.text())));
        return received().stream().filter(m -> text.equals(m.text())).findFirst().orElseThrow();
    }

    /**
     * What the page recorded about the mesh for the first message with this text: origin (the sender's region),
     * home (the channel's home region), latencyMs (publish→deliver; null for history) and history (read back from
     * before the tab opened).
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> meshView(String text) {
        return (Map<String, Object>) js("""
                const m = window.meshgateDemo.received.find(r => r.data && r.data.text === arguments[0]);
                return m ? { origin: m.origin, home: m.home, latencyMs: m.latencyMs, history: m.history } : null;""",
                text);
    }

    /** What the chat list shows for the message with this text: position, sender, text and regions. */
    String shownLine(String text) {
        driver.switchTo().window(window);
        for (WebElement li : driver.findElements(By.cssSelector("#messages li"))) {
            if (li.findElement(By.className("text")).getText().equals(text)) {
                return li.getText().replace('\n', ' ');
            }
        }
        return null;
    }

    /** The texts of the page's event log entries of one kind (state, region, gap, ack, nack, error), oldest first. */
    @SuppressWarnings("unchecked")
    List<String> events(String kind) {
        return (List<String>) js("return window.meshgateDemo.events.filter(e => e.kind === arguments[0]).map(e => e.text);",
                kind);
    }

    void awaitUntil(String what, Supplier<Boolean> condition) {
        await(what).atMost(PATIENCE).pollInSameThread().pollInterval(Duration.ofMillis(50)).until(condition::get);
    }
}
