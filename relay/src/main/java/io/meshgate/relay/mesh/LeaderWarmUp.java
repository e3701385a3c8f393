package io.meshgate.relay.mesh;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Does once, at a node's start, the one-time work a node's first election as mesh leader would otherwise do cold:
 * loading and initializing the leader's role classes, building a throwaway {@link Links} (its Resilience4j circuit
 * breakers and meters), and opening the region's interest map. A node that was a follower until a handover (the
 * drain of its region's leader) starts leading that much sooner, and the other regions, whose acks wait until they
 * have linked to it, sooner still. In the rolling drain, a follower's election took 0.66–1.47 s, of which 0.11–0.37 s
 * went to the interest table and 0.15–0.29 s to constructing the roles (the election's own timing line,
 * "mesh leader started ... after its election began", says where it goes).
 *
 * <p>Threads: {@link #run} blocks (a Hazelcast call) and runs on the mesh's housekeeping thread.
 */
final class LeaderWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderWarmUp.class);

    /** The mesh leader and what it builds at election; nested and anonymous classes load with their use. */
    private static final List<Class<?>> ROLES = List.of(MeshLeader.class, Conductor.class, LinkSupervisor.class,
            LinkDialer.class, LinkHealth.class, MeshLink.class, Liveness.class, DetectorTransitions.class,
            Reconciler.class, Reconciliation.class, RetentionFloors.class, DurabilityStores.class, HeadNotices.class,
            HomePublish.class, ForwardOrder.class, RangeServing.class, ReplicaIntake.class, ReplicaWriter.class,
            InterestExchange.class, InterestTable.class, PublishLanes.class, LinkWait.class, ViewPublisher.class,
            HomeControl.class, io.meshgate.relay.publish.ChannelSequencer.class);

    private LeaderWarmUp() {
    }

    static void run(MeshSettings settings, HazelcastInstance hazelcast, ScheduledExecutorService timer) {
        long started = System.nanoTime();
        try {
            ClassLoader loader = LeaderWarmUp.class.getClassLoader();
            for (Class<?> role : ROLES) {
                Class.forName(role.getName(), true, loader);
            }
            new Links(settings, timer, new SimpleMeterRegistry()).closeAll();
            hazelcast.getMap(InterestTable.MAP_NAME).size();
            LOG.debug("mesh leader's classes and interest map warmed up in {} ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (ClassNotFoundException | RuntimeException e) {
            // Only a head start: an election does all of this anyway.
            LOG.debug("mesh leader warm-up skipped: {}", e.toString());
        }
    }
}
