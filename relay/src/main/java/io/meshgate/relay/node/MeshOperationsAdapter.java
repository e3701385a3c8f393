package io.meshgate.relay.node;

import io.meshgate.proto.relay.HomeChange;
import io.meshgate.relay.mesh.Faults;
import io.meshgate.relay.mesh.Mesh;
import io.meshgate.relay.mesh.RehomeWatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * {@link MeshOperations} over this node's {@link Mesh}: delegates every call and turns the mesh's own types
 * ({@link Faults.LinkFault}, {@link RehomeWatch.Event}) into the interface's plain records, so nothing outside the
 * relay needs the mesh's classes. A fault is checked by {@link Faults.LinkFault}'s constructor, as before.
 */
final class MeshOperationsAdapter implements MeshOperations {
    private final Mesh mesh;

    MeshOperationsAdapter(Mesh mesh) {
        this.mesh = mesh;
    }

    @Override
    public boolean canServe() {
        return mesh.canServe();
    }

    @Override
    public boolean everServed() {
        return mesh.everServed();
    }

    @Override
    public boolean regionHealthy(String region) {
        return mesh.regionHealthy(region);
    }

    @Override
    public boolean failedOver(String region) {
        return mesh.failedOver(region);
    }

    @Override
    public String home(String channel) {
        return mesh.home(channel);
    }

    @Override
    public SortedSet<String> regions() {
        return new TreeSet<>(mesh.settings().regions());
    }

    @Override
    public Map<String, Object> status() {
        return mesh.status();
    }

    @Override
    public List<RehomeEvent> recentRehomes() {
        List<RehomeEvent> out = new ArrayList<>();
        for (RehomeWatch.Event e : mesh.rehomeEvents().recent()) {
            out.add(new RehomeEvent(e.at(), e.region(), e.joined(), e.live()));
        }
        return out;
    }

    @Override
    public Map<String, LinkFault> faults() {
        Map<String, LinkFault> out = new TreeMap<>();
        mesh.faults().active().forEach((peer, f) -> out.put(peer,
                new LinkFault(f.latencyMs(), f.jitterMs(), f.drop(), f.cut())));
        return out;
    }

    @Override
    public void setFault(String peer, LinkFault fault, String who, String why) {
        mesh.faults().set(peer, new Faults.LinkFault(fault.latencyMs(), fault.jitterMs(), fault.drop(), fault.cut()),
                who, why);
    }

    @Override
    public boolean clearFault(String peer, String who, String why) {
        return mesh.faults().clear(peer, who, why);
    }

    @Override
    public int clearFaults(String who, String why) {
        return mesh.faults().clearAll(who, why);
    }

    @Override
    public CompletionStage<HomeChange> changeHomes(HomeChange.Op op, String region, String channel, String who,
                                                   String why) {
        return mesh.changeHomes(op, region, channel, who, why);
    }
}
