package io.meshgate.relay.link;

import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.LinkFrame;

/**
 * The leader's side of one {@code ForwardStream} call: hands each request to the mesh in arrival order and writes
 * each answer back, tagged with the request's {@code forward_id}, as soon as the mesh has it.
 *
 * <p>Threads: {@link #onNext}, {@link #onError} and {@link #onCompleted} come from gRPC, one at a time, in order;
 * answers complete on the mesh's threads (conductor, Hazelcast, publish completions), so every write to
 * {@code responses} is made under this object's monitor. The number of unanswered requests is bounded by the
 * calling node ({@code mesh.queueMax} forwards wait there at most), so answers queued in gRPC stay bounded too.
 */
final class ForwardStreamCall implements StreamObserver<LinkFrame> {
    private final MeshEndpoint mesh;
    private final StreamObserver<LinkFrame> responses;
    /** The call ended (either side): late answers are dropped. Guarded by this. */
    private boolean ended;

    ForwardStreamCall(MeshEndpoint mesh, StreamObserver<LinkFrame> responses) {
        this.mesh = mesh;
        this.responses = responses;
    }

    @Override
    public void onNext(LinkFrame request) {
        long id = request.getForwardId();
        mesh.forward(request.toBuilder().clearForwardId().build()).whenComplete((reply, failure) -> {
            LinkFrame answer;
            if (failure != null) {
                Throwable cause = RelayService.unwrap(failure);
                answer = LinkFrame.newBuilder().setForwardId(id).setForwardError(
                        cause.getMessage() != null ? cause.getMessage() : cause.toString()).build();
            } else {
                answer = reply.toBuilder().setForwardId(id).build();
            }
            write(answer);
        });
    }

    private synchronized void write(LinkFrame answer) {
        if (!ended) {
            responses.onNext(answer);
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        // The caller went away; it fails what it still waits for by itself.
        ended = true;
    }

    @Override
    public synchronized void onCompleted() {
        // Every request was already handed to the mesh; answers still coming are of no use to a finished caller.
        ended = true;
        responses.onCompleted();
    }
}
