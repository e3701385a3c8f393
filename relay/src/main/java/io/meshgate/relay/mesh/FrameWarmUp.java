package io.meshgate.relay.mesh;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.meshgate.proto.relay.LinkFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Initializes every {@code relay.proto} message class (and its builder and parser) once, at a node's start, by
 * writing and reading one frame of each kind with every nested message set. A node that becomes its region's mesh
 * leader in a handover otherwise initializes the classes of frames it never handled as a follower (heartbeats,
 * deliveries, ranges) on the gRPC event loops of the first links it takes, while the other regions wait for those
 * links; in the rolling drain, with both cores busy, that showed as 0.15–0.7 s monitor waits in class initialization
 * on the new leader's event loops (JFR, 2026-12-06).
 *
 * <p>Threads: {@link #run} on the mesh's housekeeping thread; it touches no state.
 */
final class FrameWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(FrameWarmUp.class);

    private FrameWarmUp() {
    }

    static void run() {
        long started = System.nanoTime();
        int kinds = 0;
        for (FieldDescriptor kind : LinkFrame.getDescriptor().getFields()) {
            if (kind.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            LinkFrame.Builder frame = LinkFrame.newBuilder();
            frame.setField(kind, filled(frame.newBuilderForField(kind), new HashSet<>()));
            try {
                LinkFrame.parseFrom(frame.build().toByteArray());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("a frame this node wrote could not be read back", e);
            }
            kinds++;
        }
        LOG.debug("relay frame classes initialized ({} kinds) in {} ms", kinds,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** {@code builder}'s message with every message field set once (each message type at most once per path). */
    private static Message filled(Message.Builder builder, Set<Descriptor> seen) {
        for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isMapField()
                    || !seen.add(field.getMessageType())) {
                continue;
            }
            Message value = filled(builder.newBuilderForField(field), seen);
            if (field.isRepeated()) {
                builder.addRepeatedField(field, value);
            } else {
                builder.setField(field, value);
            }
        }
        return builder.build();
    }
}
