// The whole client against fake regions, WebSockets and a fake clock: region choice, reconnects, move, resume,
// dedup, the outbox, long-poll and its fallback. Nothing here sleeps: time moves only through FakeTime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeshgateClient } from '../../main/resources/io/meshgate/edge/web/client.mjs';
import { FakeHttp, FakeTime, fakeRegions, fakeWebSockets, settle } from './fakes.mjs';

/** A client on three fake regions: a (80 ms), b (20 ms), c (50 ms); random() is 0.5 unless given. */
function setup({ regions, transport = 'auto', token = 't0', random = () => 0.5, webSocket = true, ...rest } = {}) {
  const time = new FakeTime();
  const http = new FakeHttp(time);
  const net = fakeRegions(http, regions ?? [
    { name: 'a', latencyMs: 80 },
    { name: 'b', latencyMs: 20 },
    { name: 'c', latencyMs: 50 },
  ]);
  const ws = fakeWebSockets();
  const client = new MeshgateClient({
    urls: ['http://a'],
    token,
    transport,
    clientId: 'c1',
    fetch: http.fetch,
    WebSocket: webSocket ? ws.WebSocket : undefined,
    clock: time.clock,
    setTimeout: time.setTimeout,
    clearTimeout: time.clearTimeout,
    random,
    ...rest,
  });
  const events = [];
  client.on('state', (e) => events.push({ at: time.now, ...e }));
  client.on('region', (e) => events.push({ at: time.now, event: 'region', ...e }));
  client.on('gap', (e) => events.push({ at: time.now, event: 'gap', ...e }));
  return { time, http, net, ws, client, events };
}

/** A heads-only long-poll answer: every channel asked for at head `seq`. */
function headsOf(url, seq) {
  const heads = {};
  for (const [key, value] of new URL(url).searchParams) {
    if (key === 'ch') {
      heads[value] = { epoch: 'e', seq };
    }
  }
  return heads;
}

/** Connects on WebSocket to the best region and returns the socket. */
async function connected(s, accept = {}) {
  const done = s.client.connect();
  await s.time.until(() => s.ws.sockets.length > 0);
  const socket = s.ws.last();
  socket.accept(accept);
  await done;
  return socket;
}

test('chooses the region with the lowest median of three probes and says why', async () => {
  const s = setup();
  const socket = await connected(s, { region: 'b' });
  assert.equal(socket.url, 'ws://b/v1/ws');
  assert.equal(s.client.region, 'b');
  assert.deepEqual(s.client.rtts, { a: 80, b: 20, c: 50 });
  assert.equal(s.client.transport, 'websocket');
  assert.equal(s.client.state, 'connected');
  assert.deepEqual(s.client.regions.find((r) => r.name === 'a').samples, [80, 80, 80]);
  assert.equal(s.http.requestsTo('/v1/ping').length, 9);
  const region = s.events.find((e) => e.event === 'region');
  assert.deepEqual({ from: region.from, to: region.to, rtts: region.rtts }, { from: null, to: 'b', rtts: { a: 80, b: 20, c: 50 } });
  assert.deepEqual(socket.sent[0], { op: 'connect', token: 't0' });
  const states = s.events.filter((e) => e.state).map((e) => e.state);
  assert.deepEqual(states, ['connecting', 'connecting', 'connected']);
  assert.equal(s.time.now, 240, 'probes of one region run one after the other, regions at once');
});

test('probes over 2 s fail, and unhealthy regions are not probed', async () => {
  const s = setup({ regions: [{ name: 'a', latencyMs: 2500 }, { name: 'b', latencyMs: 30, healthy: false }, { name: 'c', latencyMs: 900 }] });
  const socket = await connected(s);
  assert.equal(socket.url, 'ws://c/v1/ws');
  assert.deepEqual(s.client.rtts, { a: null, b: null, c: 900 });
  assert.equal(s.http.requestsTo('http://b/v1/ping').length, 0);
});

test('the next seed is asked when the first does not answer', async () => {
  const s = setup({ urls: ['http://gone', 'http://a'] });
  const socket = await connected(s);
  assert.equal(socket.url, 'ws://b/v1/ws');
});

test('reconnects with backoff, moves to the next region after two failures, and ranks again after all failed', async () => {
  const s = setup({ transport: 'websocket' });
  const first = await connected(s);
  const t0 = s.time.now;
  first.drop(1006);
  await s.time.advance(124);
  assert.equal(s.ws.sockets.length, 1, 'first retry waits random(0, 250 ms) = 125 ms');
  await s.time.advance(1);
  assert.equal(s.ws.sockets.length, 2);
  assert.equal(s.ws.last().url, 'ws://b/v1/ws', 'one failure: same region');
  s.ws.last().drop(1006);
  await s.time.advance(250);
  assert.equal(s.ws.sockets.length, 3);
  assert.equal(s.ws.last().url, 'ws://c/v1/ws', 'two failures in a row on b: next region');
  assert.equal(s.time.now - t0, 375);
  s.ws.last().drop(1006);
  await s.time.advance(500);
  s.ws.last().drop(1006);
  await s.time.advance(1000);
  assert.equal(s.ws.last().url, 'ws://a/v1/ws');
  const regionEvents = s.events.filter((e) => e.event === 'region').map((e) => `${e.from}->${e.to}`);
  assert.deepEqual(regionEvents, ['null->b', 'b->c', 'c->a']);
  const rankings = s.http.requestsTo('/v1/regions').length;
  s.ws.last().drop(1006);
  await s.time.advance(2000);
  s.ws.last().drop(1006);
  await s.time.advance(4000 + 500); // backoff, then ranking again (probes take 240 ms)
  assert.equal(s.http.requestsTo('/v1/regions').length, rankings + 1, 'every ranked region failed twice: rank again');
  assert.equal(s.ws.last().url, 'ws://b/v1/ws');
  const disconnected = s.events.filter((e) => e.state === 'disconnected');
  assert.ok(disconnected.every((e) => e.code === 1006 && typeof e.reason === 'string'));
});

test('ranking again also asks the regions already discovered when the seeds are down', async () => {
  const s = setup({ transport: 'websocket', random: () => 0 });
  await connected(s);
  s.net.down.add('a'); // the only seed
  for (let i = 0; i < 6; i++) {
    s.ws.last().drop(1006); // b, b, c, c, a, a: every ranked region failed twice
    await s.time.advance(1);
  }
  await s.time.until(() => s.ws.sockets.length === 7);
  assert.equal(s.http.requestsTo('http://a/v1/regions').length, 2, 'the seed first, as the first time');
  assert.equal(s.http.requestsTo('http://b/v1/regions').length, 1, 'then a region discovered the first time');
  assert.equal(s.ws.last().url, 'ws://b/v1/ws');
  assert.deepEqual(s.client.rtts, { a: null, b: 20, c: 50 });
});

test('a connection that stayed up 60 s starts the backoff over', async () => {
  const s = setup({ transport: 'websocket' });
  const socket = await connected(s);
  socket.drop(1006);
  await s.time.advance(125);
  s.ws.last().accept();
  await s.time.advance(60_000);
  s.ws.last().drop(1006);
  await s.time.advance(125);
  assert.equal(s.ws.sockets.length, 3, 'waited random(0, 250 ms) again, not 500');
  assert.equal(s.ws.last().url, 'ws://b/v1/ws', 'and stayed in the region');
});

test('no frame for 2 × ping_ms ends the connection; any frame keeps it', async () => {
  const s = setup();
  const socket = await connected(s, { pingMs: 1000 });
  await s.time.advance(1500);
  socket.receive({ op: 'ping' });
  assert.deepEqual(socket.sent.at(-1), { op: 'pong' });
  await s.time.advance(1999);
  assert.equal(s.client.state, 'connected');
  await s.time.advance(1);
  assert.equal(s.client.state, 'disconnected');
  assert.equal(s.events.at(-1).reason, 'ping_timeout');
  assert.notEqual(socket.closedWith, null, 'the client closed the silent socket');
});

test('move: reconnects to its url after after_ms plus jitter, and is no failure', async () => {
  const s = setup({ transport: 'websocket' });
  const socket = await connected(s, { session: 'sess-1' });
  socket.receive({ op: 'move', reason: 'drain', region: 'b', url: 'ws://b-2/v1/ws', after_ms: 2000 });
  socket.drop(4100);
  await s.time.advance(2000 + 0.5 * 500 - 1);
  assert.equal(s.ws.sockets.length, 1);
  await s.time.advance(1);
  const next = s.ws.last();
  assert.equal(next.url, 'ws://b-2/v1/ws');
  next.open();
  assert.deepEqual(next.sent[0], { op: 'connect', token: 't0', session: 'sess-1' });
  next.drop(1006); // one failure: the region's own URL next, still b
  await s.time.advance(125);
  assert.equal(s.ws.last().url, 'ws://b/v1/ws');
  assert.equal(s.client.region, 'b');
});

test('move without url goes to the next region of the ranking', async () => {
  const s = setup({ transport: 'websocket', random: () => 0 });
  const socket = await connected(s);
  socket.receive({ op: 'move', reason: 'rebalance', after_ms: 100 });
  socket.drop(4100);
  await s.time.advance(100);
  assert.equal(s.ws.last().url, 'ws://c/v1/ws');
});

test('resumes every channel from its last position and hands each message over once, in order', async () => {
  const s = setup();
  const got = [];
  const announced = [];
  s.client.on('subscribed', (e) => announced.push([e.ch, e.seq, e.position.seq]));
  const sub = s.client.subscribe('chat:a', (m) => got.push(m.seq));
  const socket = await connected(s);
  assert.deepEqual(socket.frames('sub'), [{ op: 'sub', ch: 'chat:a' }]);
  socket.receive({ op: 'subscribed', ch: 'chat:a', epoch: 'e1', seq: 5, recovered: false });
  assert.deepEqual(sub.position, { epoch: 'e1', seq: 5 });
  assert.deepEqual(announced, [['chat:a', 5, 5]]);
  for (const seq of [6, 7]) {
    socket.receive({ op: 'msg', ch: 'chat:a', epoch: 'e1', seq, id: `m${seq}`, data: seq, ts: 1 });
  }
  socket.drop(4503);
  await s.time.advance(125);
  const again = s.ws.last();
  again.accept();
  assert.deepEqual(again.frames('sub'), [{ op: 'sub', ch: 'chat:a', from: { epoch: 'e1', seq: 7 } }]);
  again.receive({ op: 'subscribed', ch: 'chat:a', epoch: 'e1', seq: 9, recovered: true });
  for (const seq of [7, 8, 6, 9]) {
    again.receive({ op: 'msg', ch: 'chat:a', epoch: 'e1', seq, id: `m${seq}`, data: seq, ts: 1 });
  }
  again.receive({ op: 'msg', ch: 'chat:a', epoch: 'e1', seq: 10, id: 'm8', data: 0, ts: 1 });
  assert.deepEqual(got, [6, 7, 8, 9]);
  assert.deepEqual(sub.position, { epoch: 'e1', seq: 9 });
  assert.deepEqual(announced, [['chat:a', 5, 5], ['chat:a', 9, 7]], 'once per connection, with the head and the position');
});

test('subscribe with from resumes there; gaps are reported and skip ahead', async () => {
  const s = setup();
  const got = [];
  const gaps = [];
  s.client.subscribe('chat:b', (m) => got.push(m.seq), { from: { epoch: 'e0', seq: 3 }, onGap: (g) => gaps.push(g) });
  const socket = await connected(s);
  assert.deepEqual(socket.frames('sub'), [{ op: 'sub', ch: 'chat:b', from: { epoch: 'e0', seq: 3 } }]);
  socket.receive({ op: 'subscribed', ch: 'chat:b', epoch: 'e1', seq: 20, recovered: false });
  socket.receive({ op: 'gap', ch: 'chat:b', from: 4, to: 11 });
  socket.receive({ op: 'msg', ch: 'chat:b', epoch: 'e1', seq: 11, id: 'x', data: 0, ts: 1 });
  socket.receive({ op: 'msg', ch: 'chat:b', epoch: 'e1', seq: 12, id: 'y', data: 0, ts: 1 });
  assert.deepEqual(gaps, [{ ch: 'chat:b', from: 4, to: 11 }]);
  assert.deepEqual(got, [12]);
  assert.ok(s.events.some((e) => e.event === 'gap' && e.to === 11));
});

test('unsubscribe stops delivery; a refused subscription ends with an error', async () => {
  const s = setup();
  const got = [];
  const errors = [];
  const socket = await connected(s);
  const sub = s.client.subscribe('chat:c', (m) => got.push(m.seq));
  s.client.subscribe('secret', () => {}, { onError: (e) => errors.push(e.code) });
  socket.receive({ op: 'subscribed', ch: 'chat:c', epoch: 'e', seq: 0 });
  socket.receive({ op: 'error', code: 'forbidden', ch: 'secret', reason: 'no' });
  sub.unsubscribe();
  assert.deepEqual(socket.frames('unsub'), [{ op: 'unsub', ch: 'chat:c' }]);
  socket.receive({ op: 'msg', ch: 'chat:c', epoch: 'e', seq: 1, id: 'z', data: 0, ts: 1 });
  assert.deepEqual(got, []);
  assert.deepEqual(errors, ['forbidden']);
  assert.throws(() => s.client.subscribe('bad channel!', () => {}), { code: 'bad_channel' });
  s.client.subscribe('secret', () => {}); // over, so it may be subscribed again
});

test('publishes carry generated ids, wait in the outbox and go again with the same ids after a reconnect', async () => {
  const s = setup();
  const early = s.client.publish('chat:a', { text: 'before connect' });
  const socket = await connected(s);
  const second = s.client.publish('chat:a', { text: 'two' });
  const own = s.client.publish('chat:a', 3, { id: 'mine' });
  assert.deepEqual(socket.frames('pub').map((f) => f.id), ['c1-1', 'c1-2', 'mine']);
  socket.receive({ op: 'ack', id: 'c1-1', ch: 'chat:a', epoch: 'e', seq: 1 });
  assert.deepEqual(await early, { ch: 'chat:a', id: 'c1-1', epoch: 'e', seq: 1 });
  socket.drop(1006);
  await s.time.advance(125);
  const again = s.ws.last();
  again.accept();
  assert.deepEqual(again.frames('pub'), [
    { op: 'pub', ch: 'chat:a', id: 'c1-2', data: { text: 'two' } },
    { op: 'pub', ch: 'chat:a', id: 'mine', data: 3 },
  ]);
  again.receive({ op: 'ack', id: 'c1-2', ch: 'chat:a', epoch: 'e', seq: 2 });
  again.receive({ op: 'ack', id: 'mine', ch: 'chat:a', epoch: 'e', seq: 3 });
  assert.equal((await second).seq, 2);
  assert.equal((await own).seq, 3);
});

test('nack unavailable is retried with backoff and the same id; other nacks fail the publish', async () => {
  const s = setup();
  const socket = await connected(s);
  const retried = s.client.publish('chat:a', 1);
  const refused = s.client.publish('chat:a', 2);
  socket.receive({ op: 'nack', id: 'c1-1', ch: 'chat:a', code: 'unavailable', reason: 'home down' });
  socket.receive({ op: 'nack', id: 'c1-2', ch: 'chat:a', code: 'too_large', reason: 'big' });
  await assert.rejects(refused, { code: 'too_large', reason: 'big' });
  await s.time.advance(124);
  assert.equal(socket.frames('pub').length, 2);
  await s.time.advance(1);
  assert.deepEqual(socket.frames('pub').map((f) => f.id), ['c1-1', 'c1-2', 'c1-1']);
  socket.receive({ op: 'ack', id: 'c1-1', ch: 'chat:a', epoch: 'e', seq: 4 });
  assert.equal((await retried).seq, 4);
});

test('the outbox is bounded and close() fails what is left', async () => {
  const s = setup({ outboxMax: 2 });
  const a = s.client.publish('chat:a', 1);
  const b = s.client.publish('chat:a', 2);
  await assert.rejects(s.client.publish('chat:a', 3), { code: 'queue_full' });
  await assert.rejects(s.client.publish('no spaces', 3), { code: 'bad_channel' });
  s.client.close();
  await assert.rejects(a, { code: 'closed' });
  await assert.rejects(b, { code: 'closed' });
  assert.equal(s.client.state, 'closed');
});

test('a fixed token refused with 4001 stops the client', async () => {
  const s = setup({ token: 'expired' });
  const done = s.client.connect();
  await s.time.until(() => s.ws.sockets.length > 0);
  const socket = s.ws.last();
  socket.open();
  socket.receive({ op: 'error', code: 'unauthorized', reason: 'token expired' });
  socket.drop(4001);
  await assert.rejects(done, { code: 'unauthorized' });
  await s.time.advance(120_000);
  assert.equal(s.ws.sockets.length, 1, 'never retried with the same token');
  assert.equal(s.client.state, 'stopped');
  assert.deepEqual(s.events.filter((e) => e.state === 'disconnected').map((e) => [e.reason, e.code]), [['unauthorized', 4001]]);
});

test('a token function is asked again before every connect', async () => {
  let n = 0;
  const s = setup({ token: async () => `tok-${++n}` });
  const done = s.client.connect();
  await s.time.until(() => s.ws.sockets.length > 0);
  s.ws.last().open();
  s.ws.last().drop(4001);
  await s.time.advance(125);
  s.ws.last().accept();
  await done;
  assert.deepEqual(s.ws.sockets.map((w) => w.sent[0]?.token), ['tok-1', 'tok-2']);
});

test('auto falls back to long-poll when WebSocket fails twice but the region answers HTTP', async () => {
  const s = setup();
  s.http.route('http://b/v1/poll', (url) => (url.includes('wait=')
    ? new Promise(() => {}) // held
    : { status: 200, body: { messages: [], gaps: [], heads: { 'chat:a': { epoch: 'e', seq: 0 } } } }));
  s.client.subscribe('chat:a', () => {});
  const done = s.client.connect();
  await s.time.until(() => s.ws.sockets.length === 1);
  const failedAt = s.time.now;
  s.ws.last().drop(1006);
  await s.time.until(() => s.ws.sockets.length === 2);
  assert.equal(s.time.now - failedAt, 20 + 125, 'the region is asked /v1/ping (20 ms), then the backoff');
  assert.equal(s.http.requestsTo('http://b/v1/ping').length, 3 + 1);
  s.ws.last().drop(1006);
  await s.time.advance(20 + 250);
  await done;
  assert.equal(s.client.transport, 'longpoll');
  assert.equal(s.client.region, 'b');
  assert.equal(s.ws.sockets.length, 2);
  const connecting = s.events.filter((e) => e.state === 'connecting' && e.region).map((e) => `${e.region}/${e.transport}`);
  assert.deepEqual(connecting, ['b/websocket', 'b/websocket', 'b/longpoll']);
});

test('auto keeps WebSocket when the failures were the network being down', async () => {
  const s = setup();
  s.client.connect();
  await s.time.until(() => s.ws.sockets.length === 1);
  s.ws.last().accept();
  s.net.down.add('b');
  s.net.down.add('c');
  s.ws.last().drop(1006);
  await s.time.until(() => s.ws.sockets.length === 2);
  s.ws.last().drop(1006); // b: two failures, its ping failing too
  await s.time.until(() => s.ws.sockets.length === 3);
  assert.equal(s.ws.last().url, 'ws://c/v1/ws');
  s.net.down.clear();
  s.ws.last().accept();
  assert.equal(s.client.transport, 'websocket');
});

test('auto moves on when the region answers neither WebSocket nor HTTP', async () => {
  const s = setup();
  s.client.connect();
  await s.time.until(() => s.ws.sockets.length === 1);
  s.net.down.add('b');
  s.ws.last().drop(1006);
  await s.time.advance(125);
  s.ws.last().drop(1006);
  await s.time.until(() => s.ws.sockets.length === 3);
  assert.equal(s.ws.last().url, 'ws://c/v1/ws');
});

test('long-poll asks new channels for their heads first, then polls from positions; publishes by POST', async () => {
  const s = setup({ transport: 'longpoll' });
  const polls = [];
  s.http.route('http://b/v1/poll', (url) => {
    if (!url.includes('wait=')) {
      return { status: 200, body: { messages: [], gaps: [], heads: headsOf(url, 3) } };
    }
    return new Promise((resolve) => polls.push({ url, resolve }));
  });
  const posted = [];
  s.http.route('http://b/v1/publish', (url, init) => {
    const body = JSON.parse(init.body);
    posted.push({ body, auth: init.headers.Authorization });
    return { status: 200, body: { op: 'ack', id: body.id, ch: body.ch, epoch: 'e', seq: 9 } };
  });
  const got = [];
  const sub = s.client.subscribe('chat:a', (m) => got.push(m.seq));
  await Promise.all([s.client.connect(), s.time.advance(300)]);
  assert.equal(s.client.transport, 'longpoll');
  assert.equal(s.ws.sockets.length, 0);
  const heads = s.http.requestsTo('http://b/v1/poll')[0];
  assert.equal(heads.url, 'http://b/v1/poll?ch=chat%3Aa');
  assert.equal(heads.init.headers.Authorization, 'Bearer t0');
  await s.time.advance(1);
  assert.equal(polls.length, 1);
  assert.equal(polls[0].url, 'http://b/v1/poll?ch=chat%3Aa%40e%3A3&wait=25');
  const msg = (seq) => ({ op: 'msg', ch: 'chat:a', epoch: 'e', seq, id: `m${seq}`, data: seq, ts: 1 });
  polls[0].resolve({ status: 200, body: { messages: [msg(4), msg(5)], gaps: [], heads: {} } });
  await s.time.advance(1);
  assert.deepEqual(got, [4, 5]);
  assert.equal(polls[1].url, 'http://b/v1/poll?ch=chat%3Aa%40e%3A5&wait=25');
  polls[1].resolve({ status: 200, body: { messages: [msg(5), msg(6)], gaps: [], heads: {} } });
  await s.time.advance(1);
  assert.deepEqual(got, [4, 5, 6]);
  assert.deepEqual(sub.position, { epoch: 'e', seq: 6 });

  const ack = await s.client.publish('chat:a', { text: 'hi' });
  assert.deepEqual(ack, { ch: 'chat:a', id: 'c1-1', epoch: 'e', seq: 9 });
  assert.deepEqual(posted, [{ body: { ch: 'chat:a', id: 'c1-1', data: { text: 'hi' } }, auth: 'Bearer t0' }]);

  s.client.subscribe('chat:b', () => {}); // abandons the waiting poll: new heads, then one poll for both
  await s.time.advance(1);
  const last = s.http.requestsTo('http://b/v1/poll').map((r) => r.url).slice(-2);
  assert.deepEqual(last, ['http://b/v1/poll?ch=chat%3Ab', 'http://b/v1/poll?ch=chat%3Aa%40e%3A6&ch=chat%3Ab%40e%3A3&wait=25']);
});

test('a failed poll reconnects with backoff and resumes from the position', async () => {
  const s = setup({ transport: 'longpoll' });
  let fail = false;
  const polls = [];
  s.http.route('http://b/v1/poll', (url) => {
    if (fail) {
      return { status: 503, body: { op: 'error', code: 'unavailable', reason: 'busy' } };
    }
    if (!url.includes('wait=')) {
      return { status: 200, body: { messages: [], gaps: [], heads: { 'chat:a': { epoch: 'e', seq: 7 } } } };
    }
    return new Promise((resolve) => polls.push({ url, resolve }));
  });
  s.client.subscribe('chat:a', () => {});
  await Promise.all([s.client.connect(), s.time.advance(300)]);
  await s.time.advance(1);
  fail = true;
  polls[0].resolve({ status: 503, body: { op: 'error', code: 'unavailable', reason: 'busy' } });
  await s.time.advance(1);
  assert.equal(s.client.state, 'disconnected');
  assert.equal(s.events.at(-1).reason, 'http_503 unavailable');
  fail = false;
  await s.time.advance(125);
  assert.equal(polls.at(-1).url, 'http://b/v1/poll?ch=chat%3Aa%40e%3A7&wait=0', 'answered at once: connected');
  polls.at(-1).resolve({ status: 200, body: { messages: [], gaps: [], heads: {} } });
  await s.time.advance(1);
  assert.equal(s.client.state, 'connected');
  assert.equal(polls.at(-1).url, 'http://b/v1/poll?ch=chat%3Aa%40e%3A7&wait=25');
});

test('without a WebSocket constructor, auto uses long-poll and websocket is refused', async () => {
  const s = setup({ webSocket: false });
  s.http.route('http://b/v1/ping', () => ({ status: 204 }));
  await Promise.all([s.client.connect(), s.time.advance(300)]);
  assert.equal(s.client.transport, 'longpoll');
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = undefined;
  try {
    assert.throws(() => new MeshgateClient({ urls: ['http://a'], transport: 'websocket', fetch: s.http.fetch }), TypeError);
  } finally {
    globalThis.WebSocket = saved;
  }
});

test('a throwing application callback does not break delivery', async () => {
  const s = setup();
  const got = [];
  const saved = console.error;
  console.error = () => {};
  try {
    s.client.subscribe('chat:a', (m) => {
      got.push(m.seq);
      throw new Error('app bug');
    });
    const socket = await connected(s);
    socket.receive({ op: 'subscribed', ch: 'chat:a', epoch: 'e', seq: 0 });
    socket.receive({ op: 'msg', ch: 'chat:a', epoch: 'e', seq: 1, id: 'a', data: 0, ts: 1 });
    socket.receive({ op: 'msg', ch: 'chat:a', epoch: 'e', seq: 2, id: 'b', data: 0, ts: 1 });
  } finally {
    console.error = saved;
  }
  assert.deepEqual(got, [1, 2]);
  await settle();
});

/** A JWT whose payload says `exp` (the client reads it unverified; the server checks the signature). */
function jwtExpiring(expSeconds, tag) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part({ sub: 'u', exp: expSeconds, tag })}.sig`;
}

test('a token function refreshes the connection before exp (PROTOCOL.md step 7); a fixed token does not', async () => {
  const exp = Math.floor(Date.now() / 1000) + 20;
  let n = 0;
  const s = setup({ token: async () => jwtExpiring(exp + 3600 * n, `t${n++}`) });
  const socket = await connected(s);
  assert.equal(socket.sent.filter((f) => f.op === 'refresh').length, 0, 'not before its time');

  await s.time.advance(20_000); // halfway through a 20 s life at the latest
  const refresh = socket.sent.find((f) => f.op === 'refresh');
  assert.ok(refresh, `sent: ${JSON.stringify(socket.sent)}`);
  assert.notEqual(refresh.token, socket.sent[0].token);
  socket.receive({ op: 'refreshed', exp: exp + 3600 });
  assert.equal(s.ws.sockets.length, 1, 'the same connection goes on');

  const fixed = setup({ token: jwtExpiring(exp, 'fixed') });
  const fixedSocket = await connected(fixed);
  await fixed.time.advance(30_000);
  assert.equal(fixedSocket.sent.filter((f) => f.op === 'refresh').length, 0);
});
