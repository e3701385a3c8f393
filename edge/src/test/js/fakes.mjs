// Test doubles for client.js: a clock with timers that only move when a test says so, an HTTP server answering
// fetch() after a simulated latency on that clock, and WebSockets a test drives from the server's side.

/** Lets every pending promise callback run (a macrotask comes after all queued microtasks). */
export async function settle() {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

export class FakeTime {
  constructor() {
    this.now = 0;
    this.timers = [];
    this.nextId = 0;
    this.clock = () => this.now;
    this.setTimeout = (fn, ms = 0) => {
      const timer = { id: ++this.nextId, at: this.now + Math.max(0, Number(ms) || 0), fn };
      this.timers.push(timer);
      return timer.id;
    };
    this.clearTimeout = (id) => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves the clock forward by `ms`, running every timer that falls due on the way, in order. */
  async advance(ms) {
    const end = this.now + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) {
        break;
      }
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = end;
    await settle();
  }

  /** Advances in steps until `condition()` holds; fails after `maxMs`. */
  async until(condition, maxMs = 120_000, stepMs = 1) {
    const start = this.now;
    while (!condition()) {
      if (this.now - start >= maxMs) {
        throw new Error(`condition not met within ${maxMs} ms of fake time`);
      }
      await this.advance(stepMs);
    }
  }
}

/** A JSON response as fetch() gives it. */
function response(status, body) {
  return {
    status,
    ok: status >= 200 && status < 300,
    json: async () => {
      if (body === undefined) {
        throw new SyntaxError('no body');
      }
      return JSON.parse(JSON.stringify(body));
    },
  };
}

/**
 * Answers fetch() from handlers: `route(prefix, handler)`; a handler gets (url, init) and returns
 * `{status, body, delayMs}`, `{fail: true}` (a network error), or a promise of either (a held long-poll).
 */
export class FakeHttp {
  constructor(time) {
    this.time = time;
    this.routes = [];
    this.requests = [];
    this.fetch = (url, init = {}) => this.handle(String(url), init);
  }

  route(prefix, handler) {
    this.routes.unshift({ prefix, handler });
    return this;
  }

  requestsTo(fragment) {
    return this.requests.filter((r) => r.url.includes(fragment));
  }

  handle(url, init) {
    this.requests.push({ url, init, at: this.time.now });
    const route = this.routes.find((r) => url.startsWith(r.prefix));
    return new Promise((resolve, reject) => {
      const signal = init.signal;
      const abort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      if (signal?.aborted) {
        abort();
        return;
      }
      signal?.addEventListener('abort', abort);
      if (!route) {
        reject(new TypeError(`fetch failed: nothing at ${url}`));
        return;
      }
      Promise.resolve(route.handler(url, init)).then((answer) => {
        const deliver = () => {
          if (answer.fail) {
            reject(new TypeError('fetch failed'));
          } else {
            resolve(response(answer.status ?? 200, answer.body));
          }
        };
        if (answer.delayMs > 0) {
          this.time.setTimeout(deliver, answer.delayMs);
        } else {
          deliver();
        }
      });
    });
  }
}

/** WebSockets the test plays the server of: `open()`, `receive(frame)`, `drop(code)`; `sent` holds parsed frames. */
export function fakeWebSockets() {
  const sockets = [];

  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closedWith = null;
      sockets.push(this);
    }

    send(text) {
      if (this.closedWith !== null) {
        throw new Error('socket closed');
      }
      this.sent.push(JSON.parse(text));
    }

    close(code = 1000) {
      this.closedWith ??= code;
    }

    // ---- the server's side ----
    open() {
      this.onopen?.({});
    }

    receive(frame) {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }

    drop(code = 1006, reason = '') {
      this.closedWith ??= code;
      this.onclose?.({ code, reason });
    }

    frames(op) {
      return this.sent.filter((f) => f.op === op);
    }

    /** Opens and answers `connect` as the edge does. */
    accept({ region = new URL(this.url).hostname, node = 'n1', session = 's1', pingMs = 1_000_000 } = {}) {
      this.open();
      this.receive({ op: 'connected', session, region, node, ping_ms: pingMs });
    }
  }

  return { WebSocket: FakeWebSocket, sockets, last: () => sockets[sockets.length - 1] };
}

/**
 * Regions on the fake network: `/v1/regions` on every one of them and `/v1/ping` answering after each region's
 * latency. `regions` is `[{name, latencyMs, healthy}]`; `down` holds names whose ping fails.
 */
export function fakeRegions(http, regions) {
  const down = new Set();
  const listing = {
    self: regions[0].name,
    regions: regions.map((r) => ({
      name: r.name,
      ws: `ws://${r.name}/v1/ws`,
      http: `http://${r.name}`,
      healthy: r.healthy !== false,
    })),
  };
  for (const r of regions) {
    http.route(`http://${r.name}/v1/regions`, () => (down.has(r.name) ? { fail: true } : { status: 200, body: listing }));
    http.route(`http://${r.name}/v1/ping`, () => (down.has(r.name) ? { fail: true } : { status: 204, delayMs: r.latencyMs ?? 0 }));
  }
  return { down, listing };
}
