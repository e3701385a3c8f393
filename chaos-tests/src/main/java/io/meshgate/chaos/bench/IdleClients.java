package io.meshgate.chaos.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The client side of scenario (c), run as its own JVM by {@link IdleConnectionsScenario} so that the clients'
 * heap is never counted as the server's. Opens the connections (each {@code connect} then {@code connected}),
 * answers the server's pings, prints one {@code READY ...} line on stdout and holds everything until it reads
 * {@code close} on stdin, stdin ends (the parent died) or {@code --max-seconds} pass.
 *
 * <p>Arguments: {@code --ws URL[,URL] --connections N --concurrency N --max-seconds S}.
 */
public final class IdleClients {
    private IdleClients() {
    }

    public static void main(String[] argv) throws Exception {
        List<String> args = Arrays.asList(argv);
        List<String> urls = List.of(value(args, "--ws").split(","));
        int connections = Integer.parseInt(value(args, "--connections"));
        int concurrency = Integer.parseInt(value(args, "--concurrency"));
        int maxSeconds = Integer.parseInt(value(args, "--max-seconds"));

        long heapBefore = usedHeapAfterGc();
        HttpClient http = Connector.httpClient("idle-client");
        Connector.Opened opened = Connector.open(http, urls, connections, concurrency, i -> null,
                Duration.ofSeconds(Math.max(60, maxSeconds / 2)));
        long heapAfter = usedHeapAfterGc();
        long perConnection = opened.connected() == 0 ? 0 : (heapAfter - heapBefore) / opened.connected();
        System.out.println("READY connected=" + opened.connected() + " failed=" + opened.failed() + " millis="
                + opened.millis() + " clientHeapPerConnection=" + perConnection + " errors="
                + String.join(" | ", opened.errors()).replace('\n', ' '));
        System.out.flush();

        CountDownLatch stop = new CountDownLatch(1);
        Thread stdin = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.trim().equals("close")) {
                        break;
                    }
                }
            } catch (Exception ignored) {
                // the parent is gone: stop
            }
            stop.countDown();
        }, "idle-stdin");
        stdin.setDaemon(true);
        stdin.start();
        stop.await(maxSeconds, TimeUnit.SECONDS);
        opened.abortAll();
        System.out.println("CLOSED");
        System.out.flush();
        System.exit(0);
    }

    private static String value(List<String> args, String flag) {
        int i = args.indexOf(flag);
        if (i < 0 || i + 1 >= args.size()) {
            throw new IllegalArgumentException(flag + " is required");
        }
        return args.get(i + 1);
    }

    private static long usedHeapAfterGc() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            System.gc();
            Sleep.millis(200);
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }
}
