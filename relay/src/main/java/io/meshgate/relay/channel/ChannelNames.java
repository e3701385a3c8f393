package io.meshgate.relay.channel;

import java.util.regex.Pattern;

/** The channel name rule of protocol v1: {@code ^[A-Za-z0-9_.:\-]{1,128}$}. */
public final class ChannelNames {
    private static final Pattern VALID = Pattern.compile("^[A-Za-z0-9_.:\\-]{1,128}$");

    private ChannelNames() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }
}
