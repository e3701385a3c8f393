package io.meshgate.relay.fanout;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshgate.proto.relay.Delivery;
import io.meshgate.proto.relay.SequencedMessage;
import io.meshgate.proto.relay.StreamPosition;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;

import java.util.ArrayList;
import java.util.List;

/** Messages to and from the relay protocol's {@code Delivery}: the same bytes inside a region and across the mesh. */
public final class DeliveryCodec {
    private DeliveryCodec() {
    }

    public static Delivery toProto(String channel, List<Message> messages) {
        Delivery.Builder delivery = Delivery.newBuilder().setChannel(channel);
        for (Message m : messages) {
            delivery.addMessages(toProto(m));
        }
        return delivery.build();
    }

    public static SequencedMessage toProto(Message m) {
        return SequencedMessage.newBuilder().setChannel(m.channel()).setPosition(position(m.epoch(), m.seq()))
                .setId(m.id()).setDataJson(m.dataJson()).setTs(m.ts()).build();
    }

    public static Message fromProto(SequencedMessage m) {
        return new Message(m.getChannel(), m.getPosition().getEpoch(), m.getPosition().getSeq(), m.getId(),
                m.getDataJson(), m.getTs());
    }

    /** The wire form of a position: every (epoch, seq) pair on the relay protocol is a {@code StreamPosition}. */
    public static StreamPosition position(String epoch, long seq) {
        return StreamPosition.newBuilder().setEpoch(epoch).setSeq(seq).build();
    }

    public static StreamPosition toProto(Position position) {
        return position(position.epoch(), position.seq());
    }

    public static Position fromProto(StreamPosition position) {
        return new Position(position.getEpoch(), position.getSeq());
    }

    public static List<Message> fromProto(Delivery delivery) {
        return fromProto(delivery.getMessagesList());
    }

    /** The messages of a delivery or of a range reply, in their order. */
    public static List<Message> fromProto(List<SequencedMessage> messages) {
        List<Message> out = new ArrayList<>(messages.size());
        for (SequencedMessage m : messages) {
            out.add(fromProto(m));
        }
        return out;
    }

    public static Delivery parse(byte[] bytes) throws InvalidProtocolBufferException {
        return Delivery.parseFrom(bytes);
    }
}
