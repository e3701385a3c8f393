package io.meshgate.relay.mesh;

import io.grpc.stub.CallStreamObserver;
import io.meshgate.proto.relay.LinkFrame;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The peer's end of a link stream in tests: records what is written, ready unless told otherwise. */
final class RecordingStream extends CallStreamObserver<LinkFrame> {
    volatile boolean ready = true;
    final List<LinkFrame> frames = new CopyOnWriteArrayList<>();

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
    }

    @Override
    public void disableAutoInboundFlowControl() {
    }

    @Override
    public void request(int count) {
    }

    @Override
    public void setMessageCompression(boolean enable) {
    }

    @Override
    public void onNext(LinkFrame value) {
        frames.add(value);
    }

    @Override
    public void onError(Throwable t) {
    }

    @Override
    public void onCompleted() {
    }
}
