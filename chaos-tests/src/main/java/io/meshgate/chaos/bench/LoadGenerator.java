package io.meshgate.chaos.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The benchmark's entry point: runs scenarios (c) idle heap, (a) fan-out, (b) many channels, (d) quiet channels and
 * (f) the Java client across a drain against a running region ({@code --ws}) or, without URLs, against a fresh
 * 2-node region started in this JVM for each scenario, and,
 * when asked for, (e) cross-region against three regions it starts in this JVM; it writes
 * {@code bench-results/bench-<timestamp>.md} and {@code .json}. Flags: {@link BenchConfig#USAGE}.
 *
 * <p>Exit codes: 0 all scenarios ran, 1 a scenario failed (the report says which), 2 bad flags, 3 the
 * {@code --max-minutes} watchdog stopped the run.
 */
public final class LoadGenerator {
    static {
        // Before the first logger exists: quiet defaults when started without the bench profile's flags.
        setIfAbsent("logback.configurationFile", "bench-logback.xml");
        setIfAbsent("hazelcast.logging.type", "slf4j");
        setIfAbsent("hazelcast.phone.home.enabled", "false");
        setIfAbsent("hazelcast.health.monitoring.level", "OFF");
    }

    private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);
    private static final String MAVEN_LAUNCHER = "org.codehaus.plexus.classworlds.launcher.Launcher";

    private LoadGenerator() {
    }

    public static void main(String[] argv) {
        BenchConfig config;
        try {
            config = BenchConfig.parse(argv, repositoryRoot().resolve("bench-results"));
        } catch (IllegalArgumentException e) {
            if (!"usage".equals(e.getMessage())) {
                System.err.println("error: " + e.getMessage());
            }
            System.err.println(BenchConfig.USAGE);
            System.exit("usage".equals(e.getMessage()) ? 0 : 2);
            return;
        }
        startWatchdog(config.maxMinutes());
        System.exit(run(config, argv));
    }

    private static int run(BenchConfig config, String[] argv) {
        Instant started = Instant.now();
        String runId = BenchReport.FILE_STAMP.format(started) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        BenchReport report = new BenchReport(started, command(argv), MachineInfo.collect(), config.asMap());
        HttpClient http = Connector.httpClient("bench-client");
        boolean failed = false;
        for (String scenario : config.scenarios()) {
            LOG.info("=== scenario {} ===", scenario);
            try (Target target = target(config, scenario)) {
                report.target(target.describe());
                report.result(scenario, switch (scenario) {
                    case "idle" -> new IdleConnectionsScenario(config, target).run();
                    case "fanout" -> new PublishDeliverScenario(new PublishDeliverScenario.Params("fanout",
                            "(a) 1 channel x " + config.fanoutSubscribers() + " subscribers", 1,
                            config.fanoutSubscribers(), config.fanoutRate(), config.durationS(), config.warmupS(),
                            config.drainS(), config.publishers(), config.payloadBytes(),
                            config.connectConcurrency()), http, target.wsUrls(), runId).run();
                    case "channels" -> new PublishDeliverScenario(new PublishDeliverScenario.Params("channels",
                            "(b) " + config.channels() + " channels x 1 subscriber", config.channels(), 1,
                            config.channelsRate(), config.durationS(), config.warmupS(), config.drainS(),
                            config.publishers(), config.payloadBytes(), config.connectConcurrency()), http,
                            target.wsUrls(), runId).run();
                    case "quiet" -> new QuietChannelsScenario(config.quietChannels(), target, http).run();
                    case "client" -> new ClientScenario(new ClientScenario.Params(config.clientSubscribers(),
                            config.clientChannels(), config.clientRate(), config.clientPublishers(),
                            config.clientDrain(), config.durationS(), config.warmupS(), config.drainS(),
                            config.payloadBytes()), target, runId).run();
                    case "cross-region" -> new CrossRegionScenario(config, (SelfHostedMesh) target, http, runId)
                            .run();
                    default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                });
            } catch (RuntimeException e) {
                LOG.error("scenario {} failed", scenario, e);
                report.result(scenario, Map.of("failed", String.valueOf(e)));
                failed = true;
            }
        }
        try {
            Path md = report.write(config.outDir(), Instant.now());
            LOG.info("results: {} (and .json)", md.toAbsolutePath().normalize());
            System.out.println(Files.readString(md));
        } catch (java.io.IOException e) {
            LOG.error("could not write the results to {}", config.outDir(), e);
            return 1;
        }
        return failed ? 1 : 0;
    }

    /**
     * A fresh self-hosted region per scenario (nothing left over from the previous one), or the given region; for
     * {@code cross-region}, three fresh regions joined by the mesh.
     */
    private static Target target(BenchConfig config, String scenario) {
        if (scenario.equals("cross-region")) {
            LOG.info("starting regions {} in this JVM, one node each, emulated RTTs {} ms (insecure auth, loopback)",
                    io.meshgate.regions.demo.DemoMesh.REGIONS, config.crossRttMs());
            return SelfHostedMesh.start(config.crossRttArray());
        }
        if (config.selfHosted()) {
            LOG.info("starting a 2-node region in this JVM (insecure auth, loopback)");
            return SelfHostedRegion.start(2);
        }
        return new RemoteRegion(config.wsUrls(), config.serverPid());
    }

    /** How this run was started: the Maven command when run through the bench profile, and the java command. */
    private static Map<String, Object> command(String[] argv) {
        Map<String, Object> m = new LinkedHashMap<>();
        String extra = System.getProperty("bench.args", "").trim();
        String maven = System.getProperty("bench.mavenCommand");
        if (maven != null && maven.startsWith(MAVEN_LAUNCHER)) {
            // The launcher's arguments arrive joined by spaces; quote the one value known to hold spaces.
            String raw = System.getProperty("bench.args", "");
            m.put("maven", "mvn" + maven.substring(MAVEN_LAUNCHER.length())
                    .replace("-Dbench.args=" + raw, "-Dbench.args=\"" + raw + "\""));
        } else {
            m.put("maven", maven == null ? "(not run through Maven)" : maven);
        }
        List<String> args = new ArrayList<>(List.of(argv));
        if (!extra.isEmpty()) {
            args.addAll(List.of(extra.split("\\s+")));
        }
        m.put("args", String.join(" ", args));
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-Dbench.mavenCommand=") && !arg.startsWith("-Dbench.args=")) {
                java.add(arg);
            }
        }
        java.add("-cp");
        java.add("<chaos-tests/target/classes and its dependencies>");
        java.add(LoadGenerator.class.getName());
        java.addAll(args);
        m.put("java", java.stream().map(LoadGenerator::shellQuote).collect(Collectors.joining(" ")));
        return m;
    }

    private static String shellQuote(String arg) {
        return arg.matches("[A-Za-z0-9_./:=,@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    /** The directory holding the parent pom and chaos-tests/, searched upwards from here; else the current one. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("chaos-tests"))) {
                return p;
            }
        }
        return dir;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Halts the JVM with exit code 3 after {@code maxMinutes}: the last bound on every benchmark run. */
    static void startWatchdog(int maxMinutes) {
        Thread watchdog = new Thread(() -> {
            Sleep.millis(maxMinutes * 60_000L);
            LOG.error("the run took longer than --max-minutes {}; stopping", maxMinutes);
            Runtime.getRuntime().halt(3);
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
