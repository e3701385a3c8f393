package io.meshgate.edge.websocket;

/**
 * Collects one text message as Undertow hands it over in chunks. Up to {@code maxChars} it keeps everything; past
 * that it keeps only the first {@code prefixChars} and counts the rest, so an oversized frame costs bounded memory
 * and can still be answered (the prefix usually names its op, channel and id).
 *
 * <p>I/O thread only.
 */
final class FrameAccumulator {
    private final long maxChars;
    private final int prefixChars;
    private final StringBuilder text = new StringBuilder();
    private long totalChars;
    private boolean oversize;

    FrameAccumulator(long maxChars, int prefixChars) {
        this.maxChars = maxChars;
        this.prefixChars = prefixChars;
    }

    void append(String chunk) {
        totalChars += chunk.length();
        if (oversize) {
            return;
        }
        if (totalChars > maxChars) {
            oversize = true;
            text.setLength(Math.min(text.length(), prefixChars));
            text.append(chunk, 0, Math.min(chunk.length(), prefixChars - text.length()));
            text.trimToSize();
            return;
        }
        text.append(chunk);
    }

    boolean oversize() {
        return oversize;
    }

    /** The whole message, or only its prefix when oversize. */
    String text() {
        return text.toString();
    }

    long totalChars() {
        return totalChars;
    }
}
