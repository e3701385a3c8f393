package io.meshgate.edge.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** One static file: its bytes, media type and strong ETag (a hash of the bytes, so it changes when they do). */
record WebAsset(String contentType, byte[] body, String etag) {

    /** Reads a resource of this package; a missing one is a packaging bug, so the edge refuses to start. */
    static WebAsset load(String resource, String contentType) {
        try (InputStream in = WebAsset.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource io/meshgate/edge/web/" + resource
                        + " is missing from the edge jar");
            }
            byte[] body = in.readAllBytes();
            return new WebAsset(contentType, body, etagOf(body));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read io/meshgate/edge/web/" + resource, e);
        }
    }

    ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    /** True when an {@code If-None-Match} header names this version (or {@code *}). */
    boolean matches(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            // Weak comparison, as RFC 9110 asks for If-None-Match.
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static String etagOf(byte[] body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
            return '"' + HexFormat.of().formatHex(hash, 0, 12) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
