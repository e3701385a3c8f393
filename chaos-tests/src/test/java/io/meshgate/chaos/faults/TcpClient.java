package io.meshgate.chaos.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking test client: every read waits at most {@link #READ_TIMEOUT_MS}, so no test can hang on a socket. */
final class TcpClient implements AutoCloseable {
    static final int READ_TIMEOUT_MS = 10_000;

    private final Socket socket;

    private TcpClient(Socket socket) {
        this.socket = socket;
    }

    static TcpClient connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            return new TcpClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Reads exactly {@code length} bytes, or fails at end of stream or after the read timeout. */
    byte[] read(int length) throws IOException {
        byte[] data = socket.getInputStream().readNBytes(length);
        if (data.length < length) {
            throw new IOException("end of stream after " + data.length + " of " + length + " bytes");
        }
        return data;
    }

    String readText(int length) throws IOException {
        return new String(read(length), StandardCharsets.UTF_8);
    }

    /** Reads what arrives until end of stream (the peer closed), or fails after the read timeout. */
    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        socket.getInputStream().transferTo(all);
        return all.toByteArray();
    }

    /** True if nothing arrives within {@code waitMs}: for faults that stop data, checked over a bounded time. */
    boolean silentFor(int waitMs) throws IOException {
        socket.setSoTimeout(waitMs);
        try {
            socket.getInputStream().read();
            return false; // data, or the end of the stream
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
