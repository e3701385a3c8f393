package io.meshgate.chaos.bench;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire benchmark's client reads NATS messages that span WebSocket frames, answers the server's PING, and
 * reports a skipped message as out of order: a fake server on a 127.0.0.1 socket writes the frames.
 */
class WireConnectionTest {

    @Test
    void natsMessagesAcrossFramesAreDeliveredAndCheckedForOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             Selector selector = Selector.open()) {
            WireConnection c = new WireConnection(WireProtocol.NATS, "ch", "127.0.0.1", server.getLocalPort(),
                    new WireConnection.Events() {
                        public void ready(WireConnection x) { seen.add("ready"); }
                        public void delivered(WireConnection x, long n, long t, boolean inOrder) {
                            seen.add("n=" + n + " t=" + t + " " + inOrder);
                        }
                        public void acked(long id) { }
                        public void nacked(long id, String frame) { }
                        public void failed(WireConnection x, String why) { seen.add("failed " + why); }
                    });
            c.start(selector);
            ByteBuffer scratch = ByteBuffer.allocate(1 << 16);
            Socket peer = acceptWhileSelecting(server, selector, c, scratch);
            InputStream in = peer.getInputStream();
            OutputStream out = peer.getOutputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String first = "{\"n\":0,\"t\":5,\"p\":\"\"}";
            String third = "{\"n\":2,\"t\":6,\"p\":\"\"}";
            String stream = "PONG\r\nMSG ch 1 " + first.length() + "\r\n" + first + "\r\nPING\r\nMSG ch 1 "
                    + third.length() + "\r\n" + third + "\r\n";
            int cut = stream.indexOf("\"t\"");
            out.write(binary(stream.substring(0, cut)));
            out.write(binary(stream.substring(cut)));
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                select(selector, c, scratch);
            }
            assertEquals(List.of("ready", "n=0 t=5 true", "n=2 t=6 false"), seen);
            // What the client sent after the upgrade: CONNECT/SUB/PING, then PONG for the server's PING.
            byte[] sent = new byte[4096];
            peer.setSoTimeout(5000);
            StringBuilder text = new StringBuilder();
            while (!text.toString().contains("PONG")) {
                int n = in.read(sent);
                assertTrue(n > 0, "client closed before answering PING: " + text);
                text.append(new String(sent, 0, n, StandardCharsets.US_ASCII));
            }
            assertTrue(text.toString().contains("SUB ch 1"), text.toString());
            peer.close();
            c.close();
        }
    }

    private static Socket acceptWhileSelecting(ServerSocket server, Selector selector, WireConnection c,
                                               ByteBuffer scratch) throws Exception {
        server.setSoTimeout(5000);
        Socket peer = server.accept();
        peer.setSoTimeout(5000);
        for (int i = 0; i < 20; i++) { // the client writes its upgrade request once the connect completes
            select(selector, c, scratch);
        }
        return peer;
    }

    private static void select(Selector selector, WireConnection c, ByteBuffer scratch) throws Exception {
        selector.select(50);
        for (SelectionKey key : selector.selectedKeys()) {
            c.handle(key, scratch);
        }
        selector.selectedKeys().clear();
    }

    /** An unmasked server binary frame. */
    private static byte[] binary(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(p.length + 4).put((byte) 0x82);
        if (p.length < 126) {
            b.put((byte) p.length);
        } else {
            b.put((byte) 126).putShort((short) p.length);
        }
        b.put(p);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
