package io.meshgate.relay.link;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;

import java.util.concurrent.CompletionStage;

/** What the relay's gRPC service hands to the mesh: links from other regions and requests from this region's nodes. */
public interface MeshEndpoint {
    /**
     * The link protocol version this node speaks ({@code Hello.protocol}): 2 since positions became
     * {@code StreamPosition}. Both ends of a link refuse a peer that speaks another version.
     */
    int LINK_PROTOCOL = 2;

    /** True when {@code region} is a peer region of the mesh: only those may open a link to this node. */
    boolean isPeer(String region);

    /**
     * Takes over a link whose first frame was {@code hello}; returns the observer for the frames that follow.
     * Throws {@link io.grpc.StatusRuntimeException} to refuse it (this node is not its region's leader).
     *
     * @param onReady takes the action to run whenever {@code out} can take more frames
     */
    StreamObserver<LinkFrame> accept(Hello hello, ServerCallStreamObserver<LinkFrame> out,
                                     java.util.function.Consumer<Runnable> onReady);

    /** A request from a node of this region for its leader to carry over the mesh. */
    CompletionStage<LinkFrame> forward(LinkFrame request);
}
