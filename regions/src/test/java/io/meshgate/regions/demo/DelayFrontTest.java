package io.meshgate.regions.demo;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A front adds its emulated round trip to a real TCP exchange, keeps the bytes and their order, and passes EOF. */
class DelayFrontTest {

    @Test
    void aRoundTripThroughTheFrontTakesAtLeastItsRtt() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DelayFront front = DelayFront.start(0, List.of(echo.getLocalPort()), 60)) {
            Thread server = new Thread(() -> echoOnce(echo));
            server.setDaemon(true);
            server.start();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
                byte[] message = new byte[100_000];
                for (int i = 0; i < message.length; i++) {
                    message[i] = (byte) (i * 31);
                }
                long start = System.nanoTime();
                OutputStream out = client.getOutputStream();
                out.write(message);
                out.flush();
                client.shutdownOutput();
                byte[] back = client.getInputStream().readAllBytes();
                long rttMs = (System.nanoTime() - start) / 1_000_000;
                assertArrayEquals(message, back, "every byte, in order, and the end of the stream");
                assertTrue(rttMs >= 120, "two one-way delays of 60 ms, took " + rttMs + " ms");
            }
        }
    }

    private static void echoOnce(ServerSocket echo) {
        try (Socket s = echo.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            in.transferTo(out);
            s.shutdownOutput();
        } catch (IOException e) {
            // The test fails on what the client saw.
        }
    }
}
