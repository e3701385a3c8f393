package io.meshgate.client;

/**
 * Which region of a ranking the next connection attempt goes to: the current one until it has failed
 * {@code failuresPerRegion} times in a row (an attempt that never reached {@code connected}, or a connection that
 * dropped before it counted as stable), then the next one. Once past the last region it is exhausted, and the
 * client ranks the regions again. Owned by the conductor; not thread-safe.
 */
final class RegionCursor {
    private final RegionRanking ranking;
    private final int failuresPerRegion;
    private int index;
    private int failuresInARow;

    RegionCursor(RegionRanking ranking, int failuresPerRegion) {
        if (failuresPerRegion < 1) {
            throw new IllegalArgumentException("failuresPerRegion must be >= 1");
        }
        this.ranking = ranking;
        this.failuresPerRegion = failuresPerRegion;
    }

    RegionRanking ranking() {
        return ranking;
    }

    /** The region to try, or null once every region has failed in turn. */
    RankedRegion current() {
        return exhausted() ? null : ranking.regions().get(index);
    }

    boolean exhausted() {
        return index >= ranking.regions().size();
    }

    /** Counts a failed attempt on the current region; moves on after enough in a row. */
    void failed() {
        if (exhausted()) {
            return;
        }
        if (++failuresInARow >= failuresPerRegion) {
            next();
        }
    }

    /** The current region held a stable connection: its failures no longer count. */
    void succeeded() {
        failuresInARow = 0;
    }

    /** Moves to the next region now (a {@code move} without a URL). */
    void next() {
        index++;
        failuresInARow = 0;
    }

    int failuresInARow() {
        return failuresInARow;
    }
}
