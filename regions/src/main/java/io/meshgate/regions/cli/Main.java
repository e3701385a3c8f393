package io.meshgate.regions.cli;

import io.meshgate.edge.server.JvmDefaults;
import io.meshgate.regions.config.ConfigException;

import java.util.Locale;

/** Entry point of {@code gateway.jar}. Exit codes: 0 ok, 1 failed to start or run, 2 bad command line. */
public final class Main {
    static final String USAGE = """
            Meshgate realtime edge gateway

            Usage: java -jar gateway.jar <command> [options]

            Commands:
              demo           run the embedded local demo: three regions joined by the relay mesh, us-east :8081,
                             eu-west :8091, ap-south :8101 on 127.0.0.1, insecure (--latency: 70/90/150 ms links)
              node           run one node of a deployment: node --config FILE --node NAME
              token          mint an HS256 client token from a configuration's secret
              check-config   validate a configuration file and print what it resolves to
              status         every node of a deployment: ready or why not, members, clients, channels
              drain          drain one node of a deployment (move its clients, wait for acks, stop it), or
                             with --keep-running / --region take a node / a region out of service, still running
              channel        one channel as every region sees it: home, term, epoch, head, durable mark, interest
              undrain        put a node or a region drained with --keep-running / --region back in service
              failover       fail a region over: its channels move to their next homes by planned handover, its
                             clients move, it keeps running serving no channels
              restore        undo failover: the region is a home again and back in service
              pin            fix a channel's home to a region (pin --channel C --region R)
              unpin          give a pinned channel back to its usual home
              faults         list, set or clear injected mesh link faults of a region (chaos experiments,
                             admin.faults: true)
              help           this text

            Run 'java -jar gateway.jar <command> --help' for a command's options.
            Configuration reference: docs/configuration.md
            """;

    private Main() {
    }

    public static void main(String[] args) {
        logToStandardErrorUnlessServing(args);
        quietHazelcastBeforeItLoads();
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0].toLowerCase(Locale.ROOT);
        try {
            return switch (command) {
                case "demo" -> DemoCommand.run(args);
                case "node" -> NodeCommand.run(args);
                case "token" -> TokenCommand.run(args);
                case "check-config" -> CheckConfigCommand.run(args);
                case "status" -> StatusCommand.run(args);
                case "drain" -> DrainCommand.run(args);
                case "undrain" -> UndrainCommand.run(args);
                case "channel" -> ChannelCommand.run(args);
                case "failover", "restore", "pin", "unpin" -> HomeCommand.run(command, args);
                case "faults" -> FaultsCommand.run(args);
                default -> {
                    System.err.println("unknown command '" + args[0] + "'\n");
                    System.err.print(USAGE);
                    yield 2;
                }
            };
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            System.err.println("run 'java -jar gateway.jar " + command + " --help' for usage");
            return 2;
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return 1;
        }
    }

    /**
     * A command other than {@code node} and {@code demo} prints its result on standard output ({@code TOKEN=$(...)},
     * a status table piped on): its log lines go to standard error. Read by logback.xml when logging starts, so this
     * runs before anything logs.
     */
    static void logToStandardErrorUnlessServing(String[] args) {
        boolean serving = args.length > 0 && (args[0].equalsIgnoreCase("node") || args[0].equalsIgnoreCase("demo"));
        if (!serving && System.getProperty(LOG_TARGET) == null) {
            System.setProperty(LOG_TARGET, "System.err");
        }
    }

    static final String LOG_TARGET = "meshgate.log.target";

    /** Some of Hazelcast's warnings come before any Config is read, so its switches must be JVM properties. */
    static void quietHazelcastBeforeItLoads() {
        JvmDefaults.apply();
        System.setProperty("hazelcast.logging.type", "slf4j");
        System.setProperty("hazelcast.phone.home.enabled", "false");
        System.setProperty("hazelcast.health.monitoring.level", "OFF");
        System.setProperty("java.net.preferIPv4Stack", "true");
    }
}
