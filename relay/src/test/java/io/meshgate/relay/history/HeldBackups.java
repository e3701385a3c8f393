package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;
import io.meshgate.relay.channel.Message;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A write whose backup blocks the backup member's partition thread until the test releases it: every later backup
 * of that partition waits behind it. Members share the test JVM, so the latches are static; {@link #arm} before use.
 */
final class HeldBackups {
    private static volatile CountDownLatch started = new CountDownLatch(0);
    private static volatile CountDownLatch release = new CountDownLatch(0);

    private HeldBackups() {
    }

    static void arm() {
        started = new CountDownLatch(1);
        release = new CountDownLatch(1);
    }

    static void awaitHeld() throws InterruptedException {
        if (!started.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the held backup never started");
        }
    }

    static void release() {
        release.countDown();
    }

    /** Appends the next seq on the owner, sealed as the sequencer seals it; its backup is held. */
    static final class Append implements EntryProcessor<String, ChannelState, Object>,
            com.hazelcast.core.HazelcastInstanceAware {
        private final String channel;
        private transient StoreSeal seal;

        @Override
        public void setHazelcastInstance(com.hazelcast.core.HazelcastInstance member) {
            this.seal = StoreSeal.of(member);
        }

        Append(String channel) {
            this.channel = channel;
        }

        @Override
        public Object process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue() == null ? new ChannelState("e") : entry.getValue();
            long now = System.currentTimeMillis();
            state.append(seal.seal(new Message(channel, "e", state.head() + 1, UUID.randomUUID().toString(), "1",
                    now)), HistoryLimits.DEFAULTS, now);
            entry.setValue(state);
            return null;
        }

        @Override
        public EntryProcessor<String, ChannelState, Object> getBackupProcessor() {
            return new Held(channel);
        }
    }

    static final class Held implements EntryProcessor<String, ChannelState, Object>,
            com.hazelcast.core.HazelcastInstanceAware {
        private final String channel;
        private transient com.hazelcast.core.HazelcastInstance member;

        @Override
        public void setHazelcastInstance(com.hazelcast.core.HazelcastInstance member) {
            this.member = member;
        }

        Held(String channel) {
            this.channel = channel;
        }

        @Override
        public Object process(Map.Entry<String, ChannelState> entry) {
            started.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Append append = new Append(channel);
            append.setHazelcastInstance(member);
            return append.process(entry);
        }

        @Override
        public EntryProcessor<String, ChannelState, Object> getBackupProcessor() {
            return null;
        }
    }
}
