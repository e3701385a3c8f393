// The client's pure units: backoff, region ranking, reconnect policy, per-channel dedup and the outbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Backoff, ChannelCursor, DEFAULTS, MeshgateError, Outbox, ReconnectPolicy, median, rankRegions,
} from '../../main/resources/io/meshgate/edge/web/client.mjs';

const half = () => 0.5;

test('backoff doubles from 250 ms with full jitter and stops at 30 s', () => {
  const backoff = new Backoff({ random: half });
  const waits = Array.from({ length: 10 }, () => backoff.next());
  assert.deepEqual(waits, [125, 250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
});

test('backoff jitter spans zero to the ceiling', () => {
  const low = new Backoff({ random: () => 0 });
  const high = new Backoff({ random: () => 0.999999 });
  for (let i = 0; i < 12; i++) {
    assert.equal(low.next(), 0);
    const ceiling = Math.min(30_000, 250 * 2 ** i);
    const wait = high.next();
    assert.ok(wait < ceiling && wait > ceiling * 0.99, `attempt ${i}: ${wait} vs ${ceiling}`);
  }
});

test('backoff starts over after reset', () => {
  const backoff = new Backoff({ random: half });
  backoff.next();
  backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 125);
});

test('median of probes ignores failed ones', () => {
  assert.equal(median([30, 10, 20]), 20);
  assert.equal(median([30, null, 10]), 20);
  assert.equal(median([null, null, 7]), 7);
  assert.equal(median([null, null, null]), null);
  assert.equal(median([]), null);
});

test('regions rank by median RTT, ties in listing order, unreachable and unhealthy left out', () => {
  const regions = ['ap', 'eu', 'us', 'sa', 'af'].map((name) => ({ name, http: `http://${name}`, healthy: name !== 'af' }));
  const samples = new Map([
    ['ap', [300, 20, 310]], // one fast probe does not win: the median is 300
    ['eu', [40, 45, 41]],
    ['us', [41, 39, null]], // median of the two that answered: 40
    ['sa', [null, null, null]],
  ]);
  const { ranked, rtts, details } = rankRegions(regions, samples);
  assert.deepEqual(ranked.map((r) => r.name), ['us', 'eu', 'ap']);
  assert.deepEqual(rtts, { ap: 300, eu: 41, us: 40, sa: null, af: null });
  assert.deepEqual(details.map((d) => d.healthy), [true, true, true, true, false]);

  const tie = rankRegions(regions.slice(0, 2), new Map([['ap', [10, 10, 10]], ['eu', [10, 10, 10]]]));
  assert.deepEqual(tie.ranked.map((r) => r.name), ['ap', 'eu']);
});

test('cursor starts at the subscribe head and hands over each seq once, in order', () => {
  const cursor = new ChannelCursor();
  assert.equal(cursor.position, null);
  cursor.startAt('e1', 5);
  cursor.startAt('e1', 9); // a later head never moves a position that exists
  assert.deepEqual(cursor.position, { epoch: 'e1', seq: 5 });
  const msg = (seq, id = `m${seq}`) => ({ ch: 'c', epoch: 'e1', seq, id });
  assert.equal(cursor.accept(msg(5)), false, 'at the head: already before the subscription');
  assert.equal(cursor.accept(msg(6)), true);
  assert.equal(cursor.accept(msg(7)), true);
  assert.equal(cursor.accept(msg(6)), false, 'replayed after a reconnect');
  assert.equal(cursor.accept(msg(7)), false);
  assert.equal(cursor.accept(msg(8, 'm7')), false, 'a new seq with an id already handed over');
  assert.equal(cursor.accept(msg(9)), true);
  assert.deepEqual(cursor.position, { epoch: 'e1', seq: 9 });
});

test('cursor resumes from a given position and remembers a bounded number of ids', () => {
  const cursor = new ChannelCursor({ epoch: 'e', seq: 10 }, 2);
  assert.equal(cursor.accept({ seq: 10, id: 'a' }), false);
  assert.equal(cursor.accept({ seq: 11, id: 'a' }), true);
  assert.equal(cursor.accept({ seq: 12, id: 'b' }), true);
  assert.equal(cursor.accept({ seq: 13, id: 'c' }), true); // 'a' falls out of the window
  assert.equal(cursor.accept({ seq: 14, id: 'a' }), true);
  assert.equal(cursor.accept({ seq: 15, id: 'c' }), false);
});

test('a gap moves the position to its end, never back', () => {
  const cursor = new ChannelCursor({ epoch: 'e', seq: 3 });
  assert.equal(cursor.gap(4, 9), true);
  assert.deepEqual(cursor.position, { epoch: 'e', seq: 9 });
  assert.equal(cursor.gap(4, 6), false);
  assert.equal(cursor.accept({ seq: 9, id: 'x' }), false);
  assert.equal(cursor.accept({ seq: 10, id: 'y' }), true);
});

test('outbox keeps publishes in order until acked and resends them all after a disconnect', async () => {
  const outbox = new Outbox();
  const first = outbox.add('c', 'p-1', 1);
  const second = outbox.add('c', 'p-2', 2);
  assert.deepEqual(outbox.unsent().map((e) => e.id), ['p-1', 'p-2']);
  outbox.unsent().forEach((e) => { e.sent = true; });
  assert.equal(outbox.unsent().length, 0);
  outbox.markAllUnsent();
  assert.deepEqual(outbox.unsent().map((e) => e.id), ['p-1', 'p-2']);
  assert.equal(outbox.ack({ ch: 'c', id: 'p-2', epoch: 'e', seq: 8 }), true);
  assert.equal(outbox.ack({ ch: 'c', id: 'p-2', epoch: 'e', seq: 8 }), false, 'a late duplicate ack');
  assert.deepEqual(await second, { ch: 'c', id: 'p-2', epoch: 'e', seq: 8 });
  outbox.fail('c', 'p-1', new MeshgateError('forbidden', 'no'));
  await assert.rejects(first, { code: 'forbidden' });
  assert.equal(outbox.size, 0);
});

test('outbox joins a repeated id, is bounded, and fails everything on close', async () => {
  const outbox = new Outbox(2);
  const a = outbox.add('c', 'x', 1);
  const again = outbox.add('c', 'x', 1);
  assert.equal(outbox.size, 1);
  const b = outbox.add('d', 'x', 1); // the same id on another channel is another message
  await assert.rejects(outbox.add('c', 'y', 1), { code: 'queue_full' });
  outbox.ack({ ch: 'c', id: 'x', epoch: 'e', seq: 1 });
  assert.equal((await a).seq, 1);
  assert.equal((await again).seq, 1);
  outbox.failAll(new MeshgateError('closed', 'bye'));
  await assert.rejects(b, { code: 'closed' });
});

const regions = (...names) => names.map((name) => ({ name, http: `http://${name}`, ws: `ws://${name}/v1/ws` }));

test('policy moves to the next region after two failures in a row, and ranks again past the last', () => {
  const policy = new ReconnectPolicy({ mode: 'websocket', backoff: new Backoff({ random: half }) });
  assert.equal(policy.target, null, 'nothing ranked yet');
  policy.setRanking(regions('a', 'b'));
  assert.equal(policy.target.name, 'a');
  assert.equal(policy.ended({ transport: 'websocket' }), 125);
  assert.equal(policy.target.name, 'a');
  assert.equal(policy.ended({ connected: true, upMs: 59_999, transport: 'websocket' }), 250, 'dropped within 60 s');
  assert.equal(policy.target.name, 'b');
  policy.ended({ transport: 'websocket' });
  policy.ended({ transport: 'websocket' });
  assert.equal(policy.target, null, 'every region failed twice: rank again');
});

test('policy: a connection that stayed up 60 s resets the backoff and the region failures', () => {
  const policy = new ReconnectPolicy({ mode: 'websocket', backoff: new Backoff({ random: half }) });
  policy.setRanking(regions('a', 'b'));
  policy.ended({ transport: 'websocket' });
  policy.ended({ transport: 'websocket' }); // now on b
  policy.ended({ transport: 'websocket' });
  assert.equal(policy.ended({ connected: true, upMs: DEFAULTS.stableAfterMs, transport: 'websocket' }), 125);
  assert.equal(policy.target.name, 'b');
  policy.ended({ transport: 'websocket' });
  assert.equal(policy.target.name, 'b', 'one failure since the stable connection');
});

test('policy in auto mode gives WebSocket up for long-poll after two failures while the region answers HTTP', () => {
  const policy = new ReconnectPolicy({ mode: 'auto', backoff: new Backoff({ random: half }) });
  policy.setRanking(regions('a', 'b'));
  assert.equal(policy.transport, 'websocket');
  assert.equal(policy.mayFallBack, true);
  policy.ended({ transport: 'websocket', httpAnswered: true });
  policy.ended({ transport: 'websocket', httpAnswered: true });
  assert.equal(policy.target.name, 'a', 'the region is fine: it stays');
  assert.equal(policy.transport, 'longpoll');
  assert.equal(policy.mayFallBack, false);
  policy.ended({ transport: 'longpoll' });
  policy.ended({ transport: 'longpoll' });
  assert.equal(policy.target.name, 'b', 'long-poll failing twice: next region');
  assert.equal(policy.transport, 'websocket', 'a new region tries WebSocket again');
});

test('policy: WebSocket failures while the region does not answer HTTP are the region being down', () => {
  const policy = new ReconnectPolicy({ mode: 'auto', backoff: new Backoff({ random: half }) });
  policy.setRanking(regions('a', 'b', 'c'));
  policy.ended({ transport: 'websocket', httpAnswered: true });
  policy.ended({ transport: 'websocket', httpAnswered: false });
  assert.equal(policy.target.name, 'b', 'two failures, not both with HTTP answering: next region on WebSocket');
  assert.equal(policy.transport, 'websocket');
  policy.ended({ transport: 'websocket', httpAnswered: false });
  policy.ended({ transport: 'websocket', httpAnswered: true });
  assert.equal(policy.target.name, 'c', 'the streak counts failures in a row only');
  assert.equal(policy.transport, 'websocket');
});

test('policy: a WebSocket that reached connected does not count towards the fallback', () => {
  const policy = new ReconnectPolicy({ mode: 'auto', backoff: new Backoff({ random: half }) });
  policy.setRanking(regions('a', 'b'));
  policy.ended({ transport: 'websocket', httpAnswered: true });
  policy.connected('websocket');
  policy.ended({ connected: true, upMs: 10, transport: 'websocket' });
  assert.equal(policy.transport, 'websocket');
  assert.equal(policy.target.name, 'b');
});

test('policy without a WebSocket uses long-poll everywhere', () => {
  const policy = new ReconnectPolicy({ mode: 'auto', webSocket: false });
  policy.setRanking(regions('a'));
  assert.equal(policy.transport, 'longpoll');
  assert.equal(policy.mayFallBack, false);
});
