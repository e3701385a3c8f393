package io.meshgate.regions.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options and {@code --flag}s of one command; unknown options are errors. */
final class Args {
    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> flags = new ArrayList<>();

    static Args parse(String command, String[] args, int from, Set<String> valued, Set<String> flagNames) {
        Args parsed = new Args();
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (flagNames.contains(arg)) {
                parsed.flags.add(arg);
            } else if (valued.contains(arg)) {
                if (i + 1 >= args.length) {
                    throw new UsageException(command + ": " + arg + " needs a value");
                }
                parsed.values.computeIfAbsent(arg, k -> new ArrayList<>()).add(args[++i]);
            } else {
                throw new UsageException(command + ": unknown option '" + arg + "'");
            }
        }
        return parsed;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    String value(String name) {
        List<String> all = values.get(name);
        return all == null ? null : all.get(all.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    String required(String command, String name) {
        String value = value(name);
        if (value == null) {
            throw new UsageException(command + ": " + name + " is required");
        }
        return value;
    }

    int integer(String command, String name, int fallback) {
        String value = value(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": " + name + " must be a whole number, got '" + value + "'");
        }
    }

    /** A command-line mistake: print the message and the command's help, exit 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
