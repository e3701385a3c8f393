package io.meshgate.client;

/** The conductor's side of a subscription: where it stands in the stream, and whom to hand messages to. */
final class ChannelSubscription {
    final SubscriptionHandle handle;
    final ChannelPosition position;

    ChannelSubscription(SubscriptionHandle handle, ChannelPosition position) {
        this.handle = handle;
        this.position = position;
    }
}
