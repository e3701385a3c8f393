package io.meshgate.edge.discovery;

import java.util.List;

/** The answering region's view of all regions, itself included. */
public interface RegionDirectory {
    String self();

    List<RegionInfo> regions();
}
