// client.js as Node imports it: plain ES module, real fetch and timers, no WebSocket unless one is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

const MODULE = '../../main/resources/io/meshgate/edge/web/client.mjs';

test('the module imports in Node and exports the client and its units', async () => {
  const mod = await import(MODULE);
  for (const name of ['MeshgateClient', 'MeshgateError', 'Backoff', 'ReconnectPolicy', 'ChannelCursor', 'Outbox',
    'median', 'rankRegions', 'discoverRegions', 'probe', 'CHANNEL_PATTERN', 'DEFAULTS']) {
    assert.ok(mod[name] !== undefined, `exports ${name}`);
  }
  const client = new mod.MeshgateClient({ urls: ['http://127.0.0.1:9'] });
  assert.equal(client.state, 'idle');
  assert.equal(client.region, null);
  assert.throws(() => new mod.MeshgateClient({}), TypeError);
});

/** A one-region edge in miniature: discovery, ping, long-poll and publish, enough for the client's whole loop. */
function miniEdge() {
  const messages = [];
  const waiting = [];
  let base;
  const server = createServer((req, res) => {
    const url = new URL(req.url, base);
    const json = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v1/regions') {
      json(200, { self: 'local', regions: [{ name: 'local', ws: `${base.replace('http', 'ws')}/v1/ws`, http: base, healthy: true }] });
    } else if (url.pathname === '/v1/ping') {
      res.writeHead(204);
      res.end();
    } else if (url.pathname === '/v1/publish') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const pub = JSON.parse(body);
        const msg = { op: 'msg', ch: pub.ch, epoch: 'e', seq: messages.length + 1, id: pub.id, data: pub.data, ts: Date.now() };
        messages.push(msg);
        json(200, { op: 'ack', id: pub.id, ch: pub.ch, epoch: 'e', seq: msg.seq });
        waiting.splice(0).forEach((answer) => answer());
      });
    } else if (url.pathname === '/v1/poll') {
      const [value] = url.searchParams.getAll('ch');
      const [ch, position] = value.split('@');
      if (position === undefined) {
        json(200, { messages: [], gaps: [], heads: { [ch]: { epoch: 'e', seq: messages.length } } });
        return;
      }
      const after = Number(position.split(':')[1]);
      const answer = () => json(200, { messages: messages.filter((m) => m.seq > after), gaps: [], heads: {} });
      if (messages.length > after || url.searchParams.get('wait') === '0') {
        answer();
      } else {
        waiting.push(answer);
      }
    } else {
      json(404, { op: 'error', code: 'bad_request', reason: 'no such path' });
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    base = `http://127.0.0.1:${server.address().port}`;
    resolve({ base, close: () => { server.closeAllConnections(); server.close(); } });
  }));
}

test('in Node without a WebSocket the client works over long-poll with real fetch and timers', async () => {
  const { MeshgateClient } = await import(MODULE);
  const edge = await miniEdge();
  const client = new MeshgateClient({ urls: [edge.base], WebSocket: undefined, transport: 'auto' });
  try {
    const received = [];
    const got = new Promise((resolve) => {
      client.subscribe('chat:node', (m) => {
        received.push(m.data);
        if (received.length === 2) {
          resolve();
        }
      });
    });
    if (typeof globalThis.WebSocket !== 'function') {
      await client.connect();
      assert.equal(client.transport, 'longpoll');
    } else {
      // Node 22+ has a WebSocket; this edge has none, so auto reaches long-poll only after two WebSocket failures.
      await client.connect();
    }
    assert.equal(client.region, 'local');
    const acks = [await client.publish('chat:node', 'one'), await client.publish('chat:node', 'two')];
    assert.deepEqual(acks.map((a) => a.seq), [1, 2]);
    await got;
    assert.deepEqual(received, ['one', 'two']);
  } finally {
    client.close();
    edge.close();
  }
});
