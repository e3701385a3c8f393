package io.meshgate.client;

/** What every {@link Connection} holds: its number, where it goes, and the client's shared context. */
abstract class BaseConnection implements Connection {
    final long id;
    final RankedRegion endpoint;
    final ConnectionContext ctx;
    final ConnectionListener listener;

    BaseConnection(long id, RankedRegion endpoint, ConnectionContext ctx) {
        this.id = id;
        this.endpoint = endpoint;
        this.ctx = ctx;
        this.listener = ctx.listener();
    }

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final RankedRegion endpoint() {
        return endpoint;
    }
}
