// Meshgate JavaScript client for protocol v1: one ES module, no dependencies, no build step.
// Every edge serves it at /client.js and /client.mjs; it runs in browsers and bundlers and imports in Node 18+ as
// client.mjs or as the package @meshgate/client beside it (pass a WebSocket constructor there, or it uses long-poll).
// The behaviour is the contract in docs/clients.md, shared with the Java client.
//
// The small units it is built from (Backoff, median, rankRegions, ChannelCursor, Outbox) are exported so that unit
// tests drive them with an injected clock and random; MeshgateClient takes the same injections as options.
//
// Threading: JavaScript runs one callback at a time, so the client's state has a single owner by construction. Each
// transport connection reports back through the client; reports from a connection that is no longer the current
// one are ignored, which is what keeps a late frame of a dead socket from touching positions or the outbox.

/** Channel names the protocol accepts; anything else is refused locally with `bad_channel`. */
export const CHANNEL_PATTERN = /^[A-Za-z0-9_.:\-]{1,128}$/;

/** The defaults of docs/clients.md; every one is an option of MeshgateClient. */
export const DEFAULTS = Object.freeze({
  backoffBaseMs: 250,
  backoffCapMs: 30_000,
  stableAfterMs: 60_000,
  failuresBeforeNextRegion: 2,
  probes: 3,
  probeTimeoutMs: 2_000,
  connectTimeoutMs: 10_000,
  pollWaitS: 25,
  outboxMax: 1_000,
  recentIdsMax: 1_000,
});

/** Close code after `move`: expected, never counted as a failure. */
const CLOSE_MOVED = 4100;
/** Close code for a bad, expired or missing token: never retried with the same token. */
const CLOSE_UNAUTHORIZED = 4001;

/** An error as the protocol reports it: `code` is a protocol code (or one of the client's own), `reason` is text. */
export class MeshgateError extends Error {
  constructor(code, reason, extra = {}) {
    super(`${code}: ${reason}`);
    this.name = 'MeshgateError';
    this.code = code;
    this.reason = reason;
    Object.assign(this, extra);
  }
}

/**
 * Exponential backoff with full jitter: before attempt n (0 for the first retry) wait random(0, min(cap, base·2^n)).
 * The caller resets it once a connection has stayed up long enough (see MeshgateClient).
 */
export class Backoff {
  constructor({ baseMs = DEFAULTS.backoffBaseMs, capMs = DEFAULTS.backoffCapMs, random = Math.random } = {}) {
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = random;
    this.attempt = 0;
  }

  /** The largest wait of the next attempt, in ms. */
  ceiling() {
    // 2^n overflows to Infinity long after the cap is reached; min() takes care of it.
    return Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
  }

  /** The wait before the next attempt, in ms; counts the attempt. */
  next() {
    const delay = this.random() * this.ceiling();
    this.attempt++;
    return delay;
  }

  reset() {
    this.attempt = 0;
  }
}

/** The median of the numbers given (the mean of the middle two for an even count); null for none. */
export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return null;
  }
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Ranks regions by the median of their successful probes, lowest first; ties keep the order `/v1/regions` listed
 * them in. Unhealthy regions and regions without one successful probe are left out of the ranking.
 *
 * @param regions  the `regions` array of `/v1/regions`
 * @param samples  region name → probe RTTs in ms (null for a failed probe); absent for regions not probed
 * @returns `{ranked, rtts, details}`: ranked regions (each with `rtt`), name → median or null, and per region
 *          `{name, healthy, samples, rtt}` in listing order, for applications that show why a region was chosen
 */
export function rankRegions(regions, samples) {
  const details = regions.map((r, index) => {
    const probes = samples.get(r.name) ?? [];
    return { name: r.name, healthy: r.healthy !== false, samples: probes, rtt: median(probes), index, region: r };
  });
  const ranked = details
    .filter((d) => d.healthy && d.rtt !== null)
    .sort((a, b) => a.rtt - b.rtt || a.index - b.index)
    .map((d) => ({ ...d.region, rtt: d.rtt }));
  const rtts = {};
  for (const d of details) {
    rtts[d.name] = d.rtt;
  }
  return { ranked, rtts, details: details.map(({ name, healthy, samples: s, rtt }) => ({ name, healthy, samples: s, rtt })) };
}

/**
 * One channel's place in its stream: the position of the last message handed to the application and the ids of the
 * last `recentIdsMax` messages. A message is accepted only when its seq is beyond the position and its id is new:
 * never twice, never out of order, whatever a reconnect replays.
 */
export class ChannelCursor {
  constructor(from = null, recentIdsMax = DEFAULTS.recentIdsMax) {
    this._position = from ? { epoch: String(from.epoch ?? ''), seq: Number(from.seq) } : null;
    this._recentIdsMax = recentIdsMax;
    this._recentIds = new Set();
  }

  /** `{epoch, seq}` of the last message handed over (or the head it started from), or null before either. */
  get position() {
    return this._position ? { ...this._position } : null;
  }

  /**
   * The head from `subscribed` or long-poll `heads`: taken only while there is no position yet, so nothing
   * published after the subscribe is lost across a reconnect, and a resume never moves the position back.
   */
  startAt(epoch, seq) {
    if (this._position === null && typeof seq === 'number') {
      this._position = { epoch: String(epoch ?? ''), seq };
    }
  }

  /** True when `msg` is new and in order (the position then moves to it); false to drop it. */
  accept(msg) {
    if (typeof msg.seq !== 'number') {
      return false;
    }
    if (this._position !== null && msg.seq <= this._position.seq) {
      return false;
    }
    if (msg.id != null && this._recentIds.has(msg.id)) {
      return false;
    }
    this._position = { epoch: String(msg.epoch ?? ''), seq: msg.seq };
    if (msg.id != null) {
      this._recentIds.add(msg.id);
      if (this._recentIds.size > this._recentIdsMax) {
        this._recentIds.delete(this._recentIds.values().next().value);
      }
    }
    return true;
  }

  /** A `gap`: messages from..to are gone. Returns true when it moved the position (the application is told). */
  gap(from, to) {
    if (typeof to !== 'number' || (this._position !== null && to <= this._position.seq)) {
      return false;
    }
    this._position = { epoch: this._position?.epoch ?? '', seq: to };
    return true;
  }
}

/**
 * Publishes not yet acknowledged, in the order they were made, bounded. An entry stays until its `ack` or a final
 * `nack`; after a reconnect every entry is sent again with the same id (G4 makes that safe).
 */
export class Outbox {
  constructor(max = DEFAULTS.outboxMax) {
    this.max = max;
    this._entries = new Map();
  }

  get size() {
    return this._entries.size;
  }

  static key(ch, id) {
    return `${ch}\u0000${id}`;
  }

  /**
   * Adds a publish and returns its promise. The same channel and id again while pending joins the first one: both
   * complete with the same ack, and it is sent once. Beyond `max` the promise fails at once with `queue_full`.
   */
  add(ch, id, data) {
    const key = Outbox.key(ch, id);
    const existing = this._entries.get(key);
    return new Promise((resolve, reject) => {
      if (existing) {
        existing.waiters.push({ resolve, reject });
        return;
      }
      if (this._entries.size >= this.max) {
        reject(new MeshgateError('queue_full', `${this.max} publishes are waiting for their ack`, { ch, id }));
        return;
      }
      this._entries.set(key, { ch, id, data, sent: false, waiters: [{ resolve, reject }] });
    });
  }

  /** Entries not sent on the current connection, oldest first. */
  unsent() {
    return [...this._entries.values()].filter((e) => !e.sent);
  }

  /** After a disconnect: everything unacked is sent again on the next connection. */
  markAllUnsent() {
    for (const e of this._entries.values()) {
      e.sent = false;
    }
  }

  markUnsent(ch, id) {
    const e = this._entries.get(Outbox.key(ch, id));
    if (e) {
      e.sent = false;
    }
  }

  /** Completes the publish the ack names; false when none is pending (a late duplicate ack). */
  ack(ack) {
    const key = Outbox.key(ack.ch, ack.id);
    const e = this._entries.get(key);
    if (!e) {
      return false;
    }
    this._entries.delete(key);
    const result = { ch: ack.ch, id: ack.id, epoch: ack.epoch, seq: ack.seq };
    e.waiters.forEach((w) => w.resolve(result));
    return true;
  }

  /** Fails one publish for good. */
  fail(ch, id, error) {
    const key = Outbox.key(ch, id);
    const e = this._entries.get(key);
    if (!e) {
      return false;
    }
    this._entries.delete(key);
    e.waiters.forEach((w) => w.reject(error));
    return true;
  }

  failAll(error) {
    const entries = [...this._entries.values()];
    this._entries.clear();
    entries.forEach((e) => e.waiters.forEach((w) => w.reject(error)));
  }
}

/**
 * Where and how the next attempt goes, and after what wait: the ranking and the position in it, failures in a row on
 * the current region, and whether WebSocket is blocked on the way there. No I/O: the client reports what happened.
 *
 * - A failure is an attempt that never reached `connected`, or a connection that dropped within `stableAfterMs`; a
 *   connection that stayed up that long resets the backoff and the region's failures instead.
 * - After `failuresPerRegion` failures in a row on a region, the next attempt goes to the next region; past the last
 *   one the ranking is dropped, so the client ranks again.
 * - In `auto` mode, a WebSocket that fails before `connected` while the region's `/v1/ping` answers
 *   (`httpAnswered`; the client asks only when the socket never opened) points at WebSocket being blocked on the
 *   way; after `failuresPerRegion` of those in a row the region is kept, on long-poll, until the region changes. A
 *   failure while the region does not answer HTTP either is the region (or the network) being down, and ends such a
 *   streak.
 */
export class ReconnectPolicy {
  constructor({
    mode = 'auto', webSocket = true, failuresPerRegion = DEFAULTS.failuresBeforeNextRegion,
    stableAfterMs = DEFAULTS.stableAfterMs, backoff = new Backoff(),
  } = {}) {
    this.mode = mode;
    this.webSocket = webSocket;
    this.failuresPerRegion = failuresPerRegion;
    this.stableAfterMs = stableAfterMs;
    this.backoff = backoff;
    this.ranking = null;
    this._goTo(0);
  }

  /** A new ranking (regions, best first): the next attempt goes to its first region. */
  setRanking(ranked) {
    this.ranking = ranked.length > 0 ? ranked : null;
    this._goTo(0);
  }

  /** The region of the next attempt, or null when the ranking has to be (re)done first. */
  get target() {
    return this.ranking?.[this.index] ?? null;
  }

  /** The transport of the next attempt. */
  get transport() {
    if (this.mode === 'longpoll' || !this.webSocket) {
      return 'longpoll';
    }
    return this.mode === 'auto' && this.longPollHere ? 'longpoll' : 'websocket';
  }

  /** True when a WebSocket failure now should be checked against the region's `/v1/ping` (see `ended`). */
  get mayFallBack() {
    return this.mode === 'auto' && this.webSocket && !this.longPollHere;
  }

  connected(transport) {
    if (transport === 'websocket') {
      this.wsFailures = 0;
    }
  }

  /**
   * An attempt or connection ended (not after `move`). `connected`: it had reached `connected`; `upMs`: for how
   * long; `transport`: what it was, or null when no connection was opened; `httpAnswered`: the region's `/v1/ping`
   * answered right after a WebSocket that never opened failed. Returns the wait before the next attempt.
   */
  ended({ connected = false, upMs = 0, transport = null, httpAnswered = false } = {}) {
    if (connected && upMs >= this.stableAfterMs) {
      this.backoff.reset();
      this.failures = 0;
      return this.backoff.next();
    }
    this.failures++;
    if (transport === 'websocket' && !connected) {
      this.wsFailures = httpAnswered ? this.wsFailures + 1 : 0;
    }
    if (this.mayFallBack && this.wsFailures >= this.failuresPerRegion) {
      this.longPollHere = true;
      this.failures = 0;
    } else if (this.failures >= this.failuresPerRegion) {
      this.nextRegion();
    }
    return this.backoff.next();
  }

  nextRegion() {
    if (this.ranking !== null && this.index + 1 < this.ranking.length) {
      this._goTo(this.index + 1);
    } else {
      this.ranking = null;
      this._goTo(0);
    }
  }

  /** `move` named a region: attempts continue from it if it is ranked. */
  moveTo(name) {
    const i = this.ranking?.findIndex((r) => r.name === name) ?? -1;
    if (i >= 0 && i !== this.index) {
      this._goTo(i);
    }
  }

  _goTo(index) {
    this.index = index;
    this.failures = 0;
    this.wsFailures = 0;
    this.longPollHere = false;
  }
}

/**
 * Fetches `/v1/regions` from the first seed that answers, then probes `/v1/ping` of every healthy region `probes`
 * times, one probe after the other per region, all regions at once. A probe that fails or takes over `timeoutMs`
 * counts as failed (null). Returns `{self, regions, samples}`; throws when no seed answers.
 */
export async function discoverRegions(seeds, io, { probes = DEFAULTS.probes, timeoutMs = DEFAULTS.probeTimeoutMs } = {}) {
  let listing = null;
  let lastError = null;
  for (const seed of seeds) {
    try {
      const res = await timedFetch(io, `${trimSlash(seed)}/v1/regions`, { cache: 'no-store' }, timeoutMs);
      if (!res.ok) {
        throw new Error(`HTTP ${res.status}`);
      }
      const body = await res.json();
      if (!body || !Array.isArray(body.regions)) {
        throw new Error('not a /v1/regions answer');
      }
      listing = body;
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (listing === null) {
    throw new MeshgateError('no_region', `no seed answered /v1/regions (${lastError?.message ?? 'no seeds'})`);
  }
  const samples = new Map();
  await Promise.all(listing.regions.filter((r) => r.healthy !== false && r.http).map(async (r) => {
    const rtts = [];
    for (let i = 0; i < probes; i++) {
      rtts.push(await probe(io, r.http, timeoutMs));
    }
    samples.set(r.name, rtts);
  }));
  return { self: listing.self, regions: listing.regions, samples };
}

/** One `/v1/ping` RTT in ms, or null when it failed or took over `timeoutMs`. */
export async function probe(io, httpUrl, timeoutMs = DEFAULTS.probeTimeoutMs) {
  const start = io.clock();
  try {
    const res = await timedFetch(io, `${trimSlash(httpUrl)}/v1/ping`, { cache: 'no-store' }, timeoutMs);
    const rtt = io.clock() - start;
    return res.ok && rtt <= timeoutMs ? rtt : null;
  } catch {
    return null;
  }
}

/** fetch with a deadline on the injected timers; aborts the request when it passes. */
async function timedFetch(io, url, init, timeoutMs) {
  const controller = typeof AbortController === 'function' ? new AbortController() : null;
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = io.setTimeout(() => {
      controller?.abort();
      reject(new MeshgateError('timeout', `${url} took over ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([io.fetch(url, { ...init, signal: controller?.signal }), deadline]);
  } finally {
    io.clearTimeout(timer);
  }
}

function trimSlash(url) {
  return String(url).replace(/\/+$/, '');
}

/** A `ws(s)://` URL from an `http(s)://` base. */
function wsUrlOf(httpUrl) {
  return `${trimSlash(httpUrl).replace(/^http/, 'ws')}/v1/ws`;
}

/** A subscription handle: `position` follows every message handed over; `unsubscribe()` stops it. */
class Subscription {
  constructor(client, channel, cursor) {
    this._client = client;
    this._cursor = cursor;
    this.channel = channel;
    this.active = true;
  }

  get position() {
    return this._cursor.position;
  }

  unsubscribe() {
    this._client._unsubscribe(this);
  }
}

/**
 * The client. See docs/clients.md ("JavaScript") for the API, the options and the events.
 *
 * Life cycle: `idle` → `connect()` → `connecting` ⇄ `connected` / `disconnected` (retrying) → `close()` → `closed`.
 * A fixed token refused with 4001 ends in `stopped`.
 */
export class MeshgateClient {
  constructor(options = {}) {
    const o = { ...DEFAULTS, ...options };
    const seeds = o.urls ?? (o.url ? [o.url] : []);
    if (!Array.isArray(seeds) || seeds.length === 0) {
      throw new TypeError('MeshgateClient: give `urls`, the base URL of at least one edge (any region)');
    }
    if (!['auto', 'websocket', 'longpoll'].includes(o.transport ?? 'auto')) {
      throw new TypeError("MeshgateClient: `transport` is 'auto', 'websocket' or 'longpoll'");
    }
    const WebSocketCtor = o.WebSocket ?? globalThis.WebSocket;
    if (o.transport === 'websocket' && typeof WebSocketCtor !== 'function') {
      throw new TypeError("MeshgateClient: transport 'websocket' needs a WebSocket constructor (option `WebSocket`)");
    }
    const fetchFn = o.fetch ?? (globalThis.fetch ? (url, init) => globalThis.fetch(url, init) : null);
    if (typeof fetchFn !== 'function') {
      throw new TypeError('MeshgateClient: no fetch available; pass option `fetch`');
    }
    this._seeds = seeds.map(trimSlash);
    this._discovered = new Set();
    this._token = o.token;
    this._mode = o.transport ?? 'auto';
    this._opts = o;
    this._io = {
      fetch: fetchFn,
      WebSocket: typeof WebSocketCtor === 'function' ? WebSocketCtor : null,
      clock: o.clock ?? (globalThis.performance?.now ? () => globalThis.performance.now() : () => Date.now()),
      random: o.random ?? Math.random,
      setTimeout: o.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms)),
      clearTimeout: o.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle)),
    };
    this._clientId = o.clientId ?? randomId(this._io.random);
    this._nextId = 0;
    this._policy = new ReconnectPolicy({
      mode: this._mode,
      webSocket: this._io.WebSocket !== null,
      failuresPerRegion: o.failuresBeforeNextRegion,
      stableAfterMs: o.stableAfterMs,
      backoff: new Backoff({ baseMs: o.backoffBaseMs, capMs: o.backoffCapMs, random: this._io.random }),
    });
    this._publishBackoff = new Backoff({ baseMs: o.backoffBaseMs, capMs: o.backoffCapMs, random: this._io.random });
    this._outbox = new Outbox(o.outboxMax);
    this._subs = new Map();
    this._listeners = new Map();
    this._connectWaiters = [];

    this._state = 'idle';
    this._details = [];
    this._rtts = {};
    this._region = null;
    this._node = null;
    this._session = null;
    this._transport = null;
    this._conn = null;
    this._connectedAt = 0;
    this._override = null;
    this._target = null;
    this._timer = null;
    this._publishTimer = null;
    this._attempting = false;
  }

  // ---- application API -------------------------------------------------------------------------------------------

  /** idle, connecting, connected, disconnected (retrying), stopped (token refused) or closed. */
  get state() {
    return this._state;
  }

  /** The region connected (or being connected) to, or null. */
  get region() {
    return this._region;
  }

  /** Region name → median RTT in ms of the last ranking (null: unreachable or not probed). */
  get rtts() {
    return { ...this._rtts };
  }

  /** Every region of the last ranking in listing order: `{name, healthy, samples, rtt}`. */
  get regions() {
    return this._details.map((d) => ({ ...d, samples: [...d.samples] }));
  }

  /** 'websocket' or 'longpoll' while connecting or connected, else null. */
  get transport() {
    return this._transport;
  }

  get node() {
    return this._node;
  }

  get session() {
    return this._session;
  }

  get clientId() {
    return this._clientId;
  }

  /** Listens to 'state', 'region', 'gap' or 'error'; returns a function that stops listening. */
  on(event, listener) {
    if (!this._listeners.has(event)) {
      this._listeners.set(event, new Set());
    }
    this._listeners.get(event).add(listener);
    return () => this._listeners.get(event)?.delete(listener);
  }

  /**
   * Starts the client (once) and resolves when it is connected. It keeps reconnecting by itself afterwards. Rejects
   * only when the client stops for good: a fixed token refused (`unauthorized`) or `close()` (`closed`).
   */
  connect() {
    if (this._state === 'closed' || this._state === 'stopped') {
      return Promise.reject(new MeshgateError(this._state, 'the client has ' + this._state));
    }
    if (this._state === 'connected') {
      return Promise.resolve();
    }
    const p = new Promise((resolve, reject) => this._connectWaiters.push({ resolve, reject }));
    if (this._state === 'idle') {
      this._attempt();
    }
    return p;
  }

  /**
   * Subscribes `handler(msg)` to a channel; `msg` is the protocol's message object. `options.from` resumes after a
   * position (`{epoch, seq}`), `options.onGap(gap)` hears of messages the server no longer holds, `options.onError`
   * of the subscription being refused (then it is over). One subscription per channel at a time.
   */
  subscribe(channel, handler, options = {}) {
    if (!CHANNEL_PATTERN.test(channel ?? '')) {
      throw new MeshgateError('bad_channel', `not a channel name: ${channel}`);
    }
    if (typeof handler !== 'function') {
      throw new TypeError('subscribe(channel, handler): handler must be a function');
    }
    if (this._subs.has(channel)) {
      throw new MeshgateError('bad_request', `already subscribed to ${channel}; unsubscribe first`);
    }
    if (this._state === 'closed') {
      throw new MeshgateError('closed', 'the client is closed');
    }
    const cursor = new ChannelCursor(options.from ?? null, this._opts.recentIdsMax);
    const sub = new Subscription(this, channel, cursor);
    this._subs.set(channel, { sub, cursor, handler, onGap: options.onGap, onError: options.onError });
    if (this._conn?.connected) {
      this._conn.subscribe(channel, cursor.position);
    }
    return sub;
  }

  /**
   * Publishes `data` (any JSON value) on a channel. Resolves with the ack `{ch, id, epoch, seq}`; rejects with a
   * MeshgateError whose `code` is the nack code (never `unavailable`: that one is retried), `queue_full`,
   * `bad_channel`, `closed` or `unauthorized`. `options.id` overrides the generated id.
   */
  publish(channel, data, options = {}) {
    if (!CHANNEL_PATTERN.test(channel ?? '')) {
      return Promise.reject(new MeshgateError('bad_channel', `not a channel name: ${channel}`, { ch: channel }));
    }
    if (this._state === 'closed' || this._state === 'stopped') {
      return Promise.reject(new MeshgateError(this._state, 'the client has ' + this._state, { ch: channel }));
    }
    const id = options.id ?? `${this._clientId}-${++this._nextId}`;
    const payload = data === undefined ? null : data;
    try {
      JSON.stringify(payload);
    } catch (e) {
      return Promise.reject(new MeshgateError('bad_request', `data is not JSON: ${e.message}`, { ch: channel, id }));
    }
    const promise = this._outbox.add(channel, id, payload);
    this._flushOutbox();
    return promise;
  }

  /** Stops for good: closes the connection, cancels timers, fails unacked publishes with `closed`. */
  close() {
    if (this._state === 'closed') {
      return;
    }
    this._stop('closed', 'closed by the application', 'closed');
  }

  // ---- connection life cycle -------------------------------------------------------------------------------------

  async _attempt() {
    if (this._attempting || this._state === 'closed' || this._state === 'stopped') {
      return;
    }
    this._attempting = true;
    try {
      await this._attemptOnce();
    } finally {
      this._attempting = false;
    }
  }

  async _attemptOnce() {
    const policy = this._policy;
    this._setState('connecting');
    if (policy.target === null) {
      this._emit('state', { state: 'connecting', region: null, url: null, transport: null, phase: 'ranking' });
      try {
        await this._rank();
      } catch (e) {
        this._failed(e.code ?? 'no_region', e.reason ?? e.message);
        return;
      }
    }
    if (this._state === 'closed') {
      return;
    }
    const target = this._override ?? policy.target;
    this._override = null;
    this._target = target;
    this._enterRegion(target.name);
    let token;
    try {
      token = typeof this._token === 'function' ? await this._token() : this._token;
    } catch (e) {
      this._failed('token', `the token function failed: ${e?.message ?? e}`);
      return;
    }
    if (this._state === 'closed') {
      return;
    }
    this._transport = target.ws ? policy.transport : 'longpoll';
    const url = this._transport === 'longpoll' ? target.http : target.ws;
    this._emit('state', { state: 'connecting', region: target.name, url, transport: this._transport });
    const conn = this._transport === 'longpoll'
      ? new PollConnection(this, { http: target.http, token, region: target.name })
      : new WsConnection(this, { url, token, session: this._session });
    this._conn = conn;
    conn.open();
  }

  async _rank() {
    // The application's seeds first, then every region already discovered: a ranking redone while the seeds' own
    // region is down still finds the others.
    const seeds = [...new Set([...this._seeds, ...this._discovered])];
    const found = await discoverRegions(seeds, this._io, {
      probes: this._opts.probes,
      timeoutMs: this._opts.probeTimeoutMs,
    });
    found.regions.filter((r) => r.http).forEach((r) => this._discovered.add(trimSlash(r.http)));
    const { ranked, rtts, details } = rankRegions(found.regions, found.samples);
    this._rtts = rtts;
    this._details = details;
    if (ranked.length === 0) {
      throw new MeshgateError('no_region', 'no healthy region answered /v1/ping');
    }
    this._policy.setRanking(ranked.map((r) => ({
      name: r.name, http: trimSlash(r.http), ws: r.ws || wsUrlOf(r.http), rtt: r.rtt,
    })));
  }

  _enterRegion(name) {
    if (name === this._region) {
      return;
    }
    const from = this._region;
    this._region = name;
    this._emit('region', { from, to: name, rtts: { ...this._rtts } });
  }

  _onConnected(conn, info) {
    if (conn !== this._conn) {
      return;
    }
    this._node = info.node ?? null;
    this._session = info.session ?? this._session;
    if (info.region && info.region !== this._region) {
      this._enterRegion(info.region);
    }
    this._connectedAt = this._io.clock();
    this._policy.connected(this._transport);
    this._setState('connected');
    this._emit('state', {
      state: 'connected', region: this._region, node: this._node, session: this._session, transport: this._transport,
    });
    for (const [ch, s] of this._subs) {
      conn.subscribe(ch, s.cursor.position);
    }
    this._flushOutbox();
    this._connectWaiters.splice(0).forEach((w) => w.resolve());
  }

  /**
   * The current connection ended. `code` is the WebSocket close code (0 when there was none), `move` the `move` frame
   * that preceded it. Decides what the next attempt is and when.
   */
  _onDisconnected(conn, { code = 0, reason = 'closed', move = null, connected = false, opened = false }) {
    if (conn !== this._conn) {
      return;
    }
    const transport = this._transport;
    this._conn = null;
    this._transport = null;
    this._node = null;
    this._outbox.markAllUnsent();
    this._cancelPublishRetry();
    if (this._state === 'closed' || this._state === 'stopped') {
      return;
    }
    if (code === CLOSE_UNAUTHORIZED && typeof this._token !== 'function') {
      this._stop('unauthorized', reason || 'token refused', 'stopped', code);
      return;
    }
    if (move || code === CLOSE_MOVED) {
      this._emitDisconnected(reason, code);
      this._followMove(move);
      return;
    }
    const upMs = connected ? this._io.clock() - this._connectedAt : 0;
    if (transport === 'websocket' && !opened && this._policy.mayFallBack && this._target?.http) {
      // The socket never opened: is it WebSocket that fails, or the region? Ask the region's /v1/ping first.
      this._emitDisconnected(reason, code);
      probe(this._io, this._target.http, this._opts.probeTimeoutMs).then((rtt) => {
        if (this._state === 'disconnected' && this._conn === null && this._timer === null) {
          this._schedule(this._policy.ended({ connected, upMs, transport, httpAnswered: rtt !== null }));
        }
      });
      return;
    }
    this._retry(reason, code, undefined, this._policy.ended({ connected, upMs, transport }));
  }

  /** A failure before any connection was opened (ranking, the token function). */
  _failed(reason, detail) {
    if (this._state === 'closed' || this._state === 'stopped') {
      return;
    }
    this._retry(reason, 0, detail, this._policy.ended({}));
  }

  _retry(reason, code, detail, delayMs) {
    this._transport = null;
    this._emitDisconnected(reason, code, detail);
    this._schedule(delayMs);
  }

  _emitDisconnected(reason, code, detail) {
    this._setState('disconnected');
    const event = { state: 'disconnected', reason, code };
    if (detail !== undefined) {
      event.detail = detail;
    }
    this._emit('state', event);
  }

  /** `move`: to its url (or the next region) after `after_ms` plus random(0, max(250, after_ms / 4)). */
  _followMove(move) {
    const afterMs = Math.max(0, Number(move?.after_ms ?? 0));
    const region = move?.region ?? this._region;
    if (move?.url) {
      this._policy.moveTo(region);
      const known = this._policy.ranking?.find((r) => r.name === region);
      const http = known?.http ?? trimSlash(move.url.replace(/^ws/, 'http').replace(/\/v1\/ws$/, ''));
      this._override = { name: region, ws: move.url, http };
    } else {
      this._policy.nextRegion();
    }
    this._schedule(afterMs + this._io.random() * Math.max(250, afterMs / 4));
  }

  _schedule(delayMs) {
    if (this._timer !== null) {
      this._io.clearTimeout(this._timer);
    }
    this._timer = this._io.setTimeout(() => {
      this._timer = null;
      this._attempt();
    }, delayMs);
  }

  _stop(reason, detail, finalState, code = 0) {
    const wasStopped = this._state === 'stopped';
    this._setState(finalState);
    if (this._timer !== null) {
      this._io.clearTimeout(this._timer);
      this._timer = null;
    }
    this._cancelPublishRetry();
    const conn = this._conn;
    this._conn = null;
    this._transport = null;
    conn?.close();
    const error = new MeshgateError(reason, detail);
    this._outbox.failAll(error);
    this._connectWaiters.splice(0).forEach((w) => w.reject(error));
    if (!wasStopped) {
      this._emit('state', { state: 'disconnected', reason, code });
    }
  }

  _setState(state) {
    this._state = state;
  }

  // ---- subscriptions ---------------------------------------------------------------------------------------------

  _unsubscribe(sub) {
    const s = this._subs.get(sub.channel);
    if (!s || s.sub !== sub) {
      return;
    }
    sub.active = false;
    this._subs.delete(sub.channel);
    if (this._conn?.connected) {
      this._conn.unsubscribe(sub.channel);
    }
  }

  /** Channels and positions, for long-poll. */
  _channels() {
    return [...this._subs].map(([ch, s]) => ({ ch, position: s.cursor.position }));
  }

  _onHead(conn, ch, epoch, seq) {
    const s = conn === this._conn ? this._subs.get(ch) : undefined;
    if (!s) {
      return;
    }
    s.cursor.startAt(epoch, seq);
    // Once per channel and connection: long-poll reports heads with every answer, WebSocket once per `subscribed`.
    if (s.announcedOn !== conn) {
      s.announcedOn = conn;
      this._emit('subscribed', { ch, epoch, seq, position: s.cursor.position });
    }
  }

  _onMessage(conn, msg) {
    if (conn !== this._conn) {
      return;
    }
    const s = this._subs.get(msg.ch);
    if (!s || !s.cursor.accept(msg)) {
      return;
    }
    this._callSafely(s.handler, msg);
  }

  _onGap(conn, gap) {
    if (conn !== this._conn) {
      return;
    }
    const s = this._subs.get(gap.ch);
    if (!s || !s.cursor.gap(gap.from, gap.to)) {
      return;
    }
    const event = { ch: gap.ch, from: gap.from, to: gap.to };
    if (s.onGap) {
      this._callSafely(s.onGap, event);
    }
    this._emit('gap', event);
  }

  /** An `error` about one channel (forbidden, too many channels): that subscription is over. */
  _onChannelError(conn, error) {
    if (conn !== this._conn) {
      return;
    }
    const s = this._subs.get(error.ch);
    const err = new MeshgateError(error.code ?? 'error', error.reason ?? '', { ch: error.ch });
    if (s) {
      s.sub.active = false;
      this._subs.delete(error.ch);
      if (s.onError) {
        this._callSafely(s.onError, err);
      }
    }
    this._emit('error', err);
  }

  _onError(conn, error) {
    if (conn === this._conn) {
      this._emit('error', new MeshgateError(error.code ?? 'error', error.reason ?? ''));
    }
  }

  // ---- publishing ------------------------------------------------------------------------------------------------

  _flushOutbox() {
    const conn = this._conn;
    if (!conn?.connected || this._publishTimer !== null) {
      return;
    }
    for (const entry of this._outbox.unsent()) {
      entry.sent = true;
      conn.publish(entry);
    }
  }

  _onAck(conn, ack) {
    if (conn !== this._conn) {
      return;
    }
    if (this._outbox.ack(ack)) {
      this._publishBackoff.reset();
    }
  }

  _onNack(conn, nack) {
    if (conn !== this._conn) {
      return;
    }
    if (nack.code === 'unavailable') {
      this._outbox.markUnsent(nack.ch, nack.id);
      if (this._publishTimer === null) {
        this._publishTimer = this._io.setTimeout(() => {
          this._publishTimer = null;
          this._flushOutbox();
        }, this._publishBackoff.next());
      }
      return;
    }
    this._outbox.fail(nack.ch, nack.id,
      new MeshgateError(nack.code ?? 'error', nack.reason ?? '', { ch: nack.ch, id: nack.id }));
  }

  _cancelPublishRetry() {
    if (this._publishTimer !== null) {
      this._io.clearTimeout(this._publishTimer);
      this._publishTimer = null;
    }
  }

  // ---- events ----------------------------------------------------------------------------------------------------

  _emit(event, payload) {
    for (const listener of [...(this._listeners.get(event) ?? [])]) {
      this._callSafely(listener, payload);
    }
  }

  /** An application callback that throws must not break the client: report it and carry on. */
  _callSafely(fn, arg) {
    try {
      fn(arg);
    } catch (e) {
      if (typeof globalThis.reportError === 'function') {
        globalThis.reportError(e);
      } else {
        console.error('meshgate: an application callback threw', e);
      }
    }
  }
}

/** The `exp` (Unix seconds) of a JWT's payload, read without verifying; null when there is none. */
function tokenExpSeconds(token) {
  if (typeof token !== 'string') {
    return null;
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    return null;
  }
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const payload = JSON.parse(globalThis.atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)));
    return Number.isFinite(payload?.exp) ? payload.exp : null;
  } catch {
    return null;
  }
}

function randomId(random) {
  let id = 'js';
  for (let i = 0; i < 10; i++) {
    id += Math.floor(random() * 36).toString(36);
  }
  return id;
}

/**
 * One WebSocket connection: `connect` first, then frames. Reports to the client; closes itself when `connected`
 * does not come in time or no frame arrives for 2 × `ping_ms` (the server pings every `ping_ms`).
 */
class WsConnection {
  constructor(client, { url, token, session }) {
    this.client = client;
    this.io = client._io;
    this.url = url;
    this.token = token;
    this.session = session;
    this.opened = false;
    this.connected = false;
    this.ended = false;
    this.move = null;
    this.unauthorized = null;
    this.watchdog = null;
    this.refreshTimer = null;
  }

  open() {
    let ws;
    try {
      ws = new this.io.WebSocket(this.url);
    } catch (e) {
      // Deferred so the client has finished starting this attempt before it hears of its end.
      this.io.setTimeout(() => this.end(0, `websocket: ${e?.message ?? e}`), 0);
      return;
    }
    this.ws = ws;
    this.arm(this.client._opts.connectTimeoutMs, 'connect_timeout');
    ws.onopen = () => {
      this.opened = true;
      const hello = { op: 'connect' };
      if (this.token) {
        hello.token = this.token;
      }
      if (this.session) {
        hello.session = this.session;
      }
      this.send(hello);
    };
    ws.onmessage = (event) => this.onFrame(event.data);
    ws.onerror = () => {
      // A close event follows with the code; nothing to do here.
    };
    ws.onclose = (event) => this.end(event.code ?? 0, this.closeReason(event));
  }

  closeReason(event) {
    if (event.code === CLOSE_UNAUTHORIZED) {
      return 'unauthorized';
    }
    if (event.code === CLOSE_MOVED) {
      return 'moved';
    }
    return event.reason || (this.connected ? 'connection closed' : 'connection failed');
  }

  arm(ms, reason) {
    if (this.watchdog !== null) {
      this.io.clearTimeout(this.watchdog);
    }
    this.watchdog = this.io.setTimeout(() => {
      this.watchdog = null;
      this.abort(reason);
    }, ms);
  }

  onFrame(data) {
    if (this.ended) {
      return;
    }
    let frame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      return;
    }
    if (this.connected) {
      this.arm(2 * this.pingMs, 'ping_timeout');
    }
    const c = this.client;
    switch (frame.op) {
      case 'connected':
        this.connected = true;
        this.pingMs = Number(frame.ping_ms) > 0 ? Number(frame.ping_ms) : 15_000;
        this.arm(2 * this.pingMs, 'ping_timeout');
        this.scheduleRefresh();
        c._onConnected(this, { region: frame.region, node: frame.node, session: frame.session });
        break;
      case 'refreshed':
        this.scheduleRefresh();
        break;
      case 'ping':
        this.send({ op: 'pong' });
        break;
      case 'subscribed':
        c._onHead(this, frame.ch, frame.epoch, frame.seq);
        break;
      case 'msg':
        c._onMessage(this, frame);
        break;
      case 'gap':
        c._onGap(this, frame);
        break;
      case 'ack':
        c._onAck(this, frame);
        break;
      case 'nack':
        c._onNack(this, frame);
        break;
      case 'move':
        this.move = frame;
        break;
      case 'error':
        if (frame.code === 'unauthorized') {
          this.unauthorized = frame.reason ?? 'unauthorized';
        } else if (frame.ch) {
          c._onChannelError(this, frame);
        } else {
          c._onError(this, frame);
        }
        break;
      default:
        break;
    }
  }

  /**
   * PROTOCOL.md step 7: the server closes 4001 at the token's `exp` unless it got `refresh` first. With a token
   * function, the client asks it for a fresh token a minute before `exp` (halfway through a shorter remaining life)
   * and sends it; `refreshed` schedules the next. A fixed token is not refreshed.
   */
  scheduleRefresh() {
    this.cancelRefresh();
    const exp = tokenExpSeconds(this.token);
    if (exp === null || typeof this.client._token !== 'function' || this.ended) {
      return;
    }
    const remaining = exp * 1000 - Date.now();
    const delay = Math.max(0, remaining - Math.min(60_000, remaining / 2));
    this.refreshTimer = this.io.setTimeout(async () => {
      this.refreshTimer = null;
      let fresh;
      try {
        fresh = await this.client._token();
      } catch {
        return; // the server ends the connection at exp; the reconnect asks the function again
      }
      if (!this.ended && typeof fresh === 'string' && fresh && fresh !== this.token) {
        this.token = fresh;
        this.send({ op: 'refresh', token: fresh });
      }
    }, delay);
  }

  cancelRefresh() {
    if (this.refreshTimer !== null) {
      this.io.clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
    }
  }

  subscribe(ch, position) {
    this.send(position ? { op: 'sub', ch, from: { epoch: position.epoch, seq: position.seq } } : { op: 'sub', ch });
  }

  unsubscribe(ch) {
    this.send({ op: 'unsub', ch });
  }

  publish(entry) {
    this.send({ op: 'pub', ch: entry.ch, id: entry.id, data: entry.data });
  }

  send(frame) {
    try {
      this.ws.send(JSON.stringify(frame));
    } catch {
      // The socket is closing; its close event reports the end, and the outbox sends again after a reconnect.
    }
  }

  /** Ends the connection from this side (timeouts) and reports it at once. */
  abort(reason) {
    try {
      this.ws?.close();
    } catch {
      // already closed
    }
    this.end(0, reason);
  }

  end(code, reason) {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.cancelRefresh();
    if (this.watchdog !== null) {
      this.io.clearTimeout(this.watchdog);
      this.watchdog = null;
    }
    if (this.ws) {
      this.ws.onopen = this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
    }
    const finalCode = this.unauthorized !== null && code !== CLOSE_UNAUTHORIZED ? CLOSE_UNAUTHORIZED : code;
    const finalReason = this.unauthorized !== null ? `unauthorized: ${this.unauthorized}` : reason;
    this.client._onDisconnected(this, {
      code: finalCode, reason: finalReason, move: this.move, connected: this.connected, opened: this.opened,
    });
  }

  /** Closed by the application: nothing is reported. */
  close() {
    this.ended = true;
    this.cancelRefresh();
    if (this.watchdog !== null) {
      this.io.clearTimeout(this.watchdog);
    }
    if (this.ws) {
      this.ws.onopen = this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
      try {
        this.ws.close(1000);
      } catch {
        // already closed
      }
    }
  }
}

/**
 * Long-poll: one poll in flight, carrying every channel's position; channels without a position are first asked for
 * their heads alone (answered at once), so nothing published after the subscribe is missed. Publishes go one after
 * the other with POST /v1/publish. "Connected" once the region answered the first request.
 */
class PollConnection {
  constructor(client, { http, token, region }) {
    this.client = client;
    this.io = client._io;
    this.http = trimSlash(http);
    this.token = token;
    this.region = region;
    this.connected = false;
    this.ended = false;
    this.pollAbort = null;
    this.wake = null;
    this.queue = [];
    this.sending = false;
  }

  open() {
    this.loop();
  }

  headers(extra = {}) {
    return this.token ? { ...extra, Authorization: `Bearer ${this.token}` } : extra;
  }

  async loop() {
    try {
      if (this.client._channels().length === 0) {
        const res = await this.request(`${this.http}/v1/ping`, { cache: 'no-store' }, this.client._opts.probeTimeoutMs);
        if (!res.ok) {
          this.end(0, `http_${res.status}`);
          return;
        }
        this.markConnected();
      }
      while (!this.ended) {
        const channels = this.client._channels();
        if (channels.length === 0) {
          await new Promise((resolve) => { this.wake = resolve; });
          this.wake = null;
          continue;
        }
        const fresh = channels.filter((c) => c.position === null);
        await this.poll(fresh.length > 0 ? fresh : channels, fresh.length > 0);
      }
    } catch (e) {
      this.end(0, e?.code ?? 'network');
    }
  }

  async poll(channels, headsOnly) {
    const query = channels.map((c) => {
      const value = c.position ? `${c.ch}@${c.position.epoch}:${c.position.seq}` : c.ch;
      return `ch=${encodeURIComponent(value)}`;
    });
    const waitS = this.client._opts.pollWaitS;
    if (!headsOnly) {
      // The first poll of a connection is answered at once, so "connected" does not wait for a message.
      query.push(`wait=${this.connected ? waitS : 0}`);
    }
    const controller = new AbortController();
    this.pollAbort = controller;
    let res;
    try {
      res = await this.request(`${this.http}/v1/poll?${query.join('&')}`,
        { headers: this.headers(), cache: 'no-store' }, (waitS + 15) * 1000, controller);
    } catch (e) {
      if (this.ended || (e?.code !== 'timeout' && controller.signal.aborted)) {
        return; // abandoned because the channels changed: the loop polls again with the new set
      }
      throw e;
    } finally {
      this.pollAbort = null;
    }
    if (this.ended) {
      return;
    }
    const body = res.body;
    if (res.status === 401) {
      this.end(CLOSE_UNAUTHORIZED, `unauthorized: ${body?.reason ?? ''}`);
      return;
    }
    if (!res.ok || body === null) {
      if ((res.status === 400 || res.status === 403) && body?.ch) {
        this.client._onChannelError(this, body);
        return;
      }
      this.end(0, `http_${res.status}${body?.code ? ` ${body.code}` : ''}`);
      return;
    }
    this.markConnected();
    const c = this.client;
    for (const gap of body.gaps ?? []) {
      c._onGap(this, gap);
    }
    for (const msg of body.messages ?? []) {
      c._onMessage(this, msg);
    }
    for (const [ch, head] of Object.entries(body.heads ?? {})) {
      c._onHead(this, ch, head.epoch, head.seq);
    }
    if (headsOnly && channels.some((ch) => !body.heads?.[ch.ch])) {
      // Asking again at once would spin; a reconnect asks again after the backoff.
      this.end(0, 'no head in the long-poll answer');
    }
  }

  /**
   * One request with a deadline, body included: `{status, ok, body}` (body is the parsed JSON, or null). `controller`
   * lets the loop abandon a waiting poll when the channels change; a deadline passed throws `timeout`.
   */
  async request(url, init, timeoutMs, controller = new AbortController()) {
    let timedOut = false;
    const timer = this.io.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await this.io.fetch(url, { ...init, signal: controller.signal });
      return { status: res.status, ok: res.ok, body: res.status === 204 ? null : await readJson(res) };
    } catch (e) {
      if (timedOut) {
        throw new MeshgateError('timeout', `${url} took over ${timeoutMs} ms`);
      }
      throw e;
    } finally {
      this.io.clearTimeout(timer);
    }
  }

  markConnected() {
    if (!this.connected && !this.ended) {
      this.connected = true;
      this.client._onConnected(this, { region: this.region, node: null, session: null });
    }
  }

  /** A change of channels: the waiting poll is abandoned and a new one carries the new set. */
  subscribe() {
    this.restartPoll();
  }

  unsubscribe() {
    this.restartPoll();
  }

  restartPoll() {
    this.pollAbort?.abort();
    this.wake?.();
  }

  publish(entry) {
    this.queue.push(entry);
    if (!this.sending) {
      this.sendQueued();
    }
  }

  async sendQueued() {
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.ended) {
        const entry = this.queue.shift();
        const res = await this.request(`${this.http}/v1/publish`, {
          method: 'POST',
          headers: this.headers({ 'Content-Type': 'application/json' }),
          body: JSON.stringify({ ch: entry.ch, id: entry.id, data: entry.data }),
        }, this.client._opts.connectTimeoutMs);
        const body = res.body;
        if (this.ended) {
          return;
        }
        if (res.status === 401) {
          this.end(CLOSE_UNAUTHORIZED, `unauthorized: ${body?.reason ?? ''}`);
          return;
        }
        if (res.ok && body?.op === 'ack') {
          this.client._onAck(this, body);
        } else if (body?.op === 'nack') {
          this.client._onNack(this, body);
        } else if (res.status === 503 || res.status >= 500) {
          this.client._onNack(this, { ch: entry.ch, id: entry.id, code: 'unavailable', reason: `HTTP ${res.status}` });
        } else {
          this.client._onNack(this, {
            ch: entry.ch, id: entry.id, code: body?.code ?? 'bad_request', reason: body?.reason ?? `HTTP ${res.status}`,
          });
        }
      }
    } catch (e) {
      this.end(0, e?.code ?? 'network');
    } finally {
      this.sending = false;
    }
  }

  end(code, reason) {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.pollAbort?.abort();
    this.wake?.();
    this.client._onDisconnected(this, { code, reason, connected: this.connected });
  }

  close() {
    this.ended = true;
    this.pollAbort?.abort();
    this.wake?.();
  }
}

async function readJson(res) {
  try {
    return await res.json();
  } catch {
    return null;
  }
}
