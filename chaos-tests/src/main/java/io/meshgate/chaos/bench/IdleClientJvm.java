package io.meshgate.chaos.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link IdleClients} on this JVM's classpath: started with N connections to open, reports
 * {@code READY ...} on stdout, closes them on {@code close}. {@link #close()} makes sure it is gone.
 */
final class IdleClientJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    /** What the client JVM reports once its connections are open. */
    record Ready(int connected, int failed, long millis, long clientHeapPerConnection, String errors) {
    }

    private IdleClientJvm(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "idle-client-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static IdleClientJvm start(BenchConfig config, List<String> urls, int connections) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx" + config.idleClientXmx(), "-Djava.net.preferIPv4Stack=true",
                "-Dlogback.configurationFile=bench-logback.xml",
                "-cp", System.getProperty("java.class.path"), IdleClients.class.getName(),
                "--ws", String.join(",", urls), "--connections", Integer.toString(connections),
                "--concurrency", Integer.toString(config.connectConcurrency()),
                "--max-seconds", Integer.toString(300 + connections / 20));
        try {
            return new IdleClientJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start());
        } catch (IOException e) {
            throw new IllegalStateException("could not start the idle client JVM: " + e.getMessage(), e);
        }
    }

    /** Waits for the READY line; throws if it does not come within {@code timeoutS}. */
    Ready awaitReady(long timeoutS) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        try {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IllegalStateException("the idle client JVM did not report READY within " + timeoutS
                            + " s" + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
                }
                if (line.startsWith("READY ")) {
                    int errorsAt = line.indexOf(" errors=");
                    return new Ready((int) field(line, "connected"), (int) field(line, "failed"),
                            field(line, "millis"), field(line, "clientHeapPerConnection"),
                            errorsAt < 0 ? "" : line.substring(errorsAt + 8));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Asks the child to drop its connections and exit; true when it did within {@code timeoutS}. */
    boolean closeAndWait(long timeoutS) {
        try {
            OutputStream in = process.getOutputStream();
            in.write("close\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            return process.waitFor(timeoutS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (process.isAlive() && !closeAndWait(30)) {
            process.destroyForcibly();
        }
    }

    /** {@code key=<number>} from a READY line; 0 when absent. */
    private static long field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) {
                try {
                    return Long.parseLong(part.substring(key.length() + 1));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
