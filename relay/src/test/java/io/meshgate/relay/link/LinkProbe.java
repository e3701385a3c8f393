package io.meshgate.relay.link;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RelayGrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A raw gRPC client of the {@code Link} rpc, opening a link the way a stranger or a misconfigured peer would. */
final class LinkProbe {
    private static final long ANSWER_SECONDS = 20;

    private LinkProbe() {
    }

    /** The first answer on a link: a frame back, or how the stream ended. */
    record Outcome(LinkFrame reply, Status failure) {
        /** The status the link was refused with; fails the test when a frame came back instead. */
        Status refusal() {
            assertNotNull(failure, "answered instead of refusing: " + reply);
            return failure;
        }
    }

    static LinkFrame hello(String region, int protocol) {
        return LinkFrame.newBuilder().setHello(Hello.newBuilder().setRegion(region).setNode(region + "-9")
                .setProtocol(protocol)).build();
    }

    /** Opens a link on {@code to}, sends {@code first}, returns the first answer, then ends the link. */
    static Outcome firstAnswer(ManagedChannel to, LinkFrame first) throws InterruptedException {
        BlockingQueue<Outcome> outcome = new LinkedBlockingQueue<>();
        StreamObserver<LinkFrame> out = RelayGrpc.newStub(to).link(new StreamObserver<>() {
            @Override
            public void onNext(LinkFrame frame) {
                outcome.add(new Outcome(frame, null));
            }

            @Override
            public void onError(Throwable t) {
                outcome.add(new Outcome(null, Status.fromThrowable(t)));
            }

            @Override
            public void onCompleted() {
                outcome.add(new Outcome(null, Status.OK));
            }
        });
        out.onNext(first);
        Outcome answer = outcome.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
        out.onCompleted();
        if (answer == null) {
            throw new AssertionError("no answer to " + first.getKindCase() + " within " + ANSWER_SECONDS + " s");
        }
        return answer;
    }

    /** A port on 127.0.0.1 that was free a moment ago (for a cluster port, or a peer that is not running). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
