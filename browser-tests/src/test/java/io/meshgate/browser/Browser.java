package io.meshgate.browser;

import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Headless Chromium through chromedriver, both Debian's (scripts/require-chromium.sh installs them). Selenium gets
 * both paths, so Selenium Manager never tries to download a browser or driver (the closed CI network refuses that).
 * One fresh profile per browser, deleted on close.
 */
final class Browser implements AutoCloseable {
    static final String BINARY = System.getenv().getOrDefault("MESHGATE_CHROMIUM", "/usr/bin/chromium");
    static final String DRIVER = System.getenv().getOrDefault("MESHGATE_CHROMEDRIVER", "/usr/bin/chromedriver");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser start() {
        for (String path : new String[] {BINARY, DRIVER}) {
            if (!new File(path).canExecute()) {
                throw new IllegalStateException(path + " is missing: run browser-tests/scripts/require-chromium.sh "
                        + "(mvn does, before the tests), or set MESHGATE_CHROMIUM / MESHGATE_CHROMEDRIVER");
            }
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("meshgate-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .build();
        // Without the background-networking flags Chromium keeps calling home and, on a closed network, fails.
        ChromeOptions options = new ChromeOptions()
                .setBinary(BINARY)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(driver, profile);
    }

    /** Loads the demo page at {@code url} in the current tab. */
    DemoPage open(String url) {
        driver.get(url);
        return new DemoPage(driver, driver.getWindowHandle());
    }

    /** Loads the demo page at {@code url} in a new tab. */
    DemoPage openInNewTab(String url) {
        driver.switchTo().newWindow(WindowType.TAB);
        return open(url);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans up what is left
            }
        }
    }
}
