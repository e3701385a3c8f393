// The demo page's logic: one MeshgateClient from /client.js, a chat on one channel, and everything the client
// decides (region, RTTs, transport, reconnects) on screen. Settings come from the form or the query string
// (?token=&transport=&channel=&name=&region=). ?region=NAME pins the tab to that region: the client is shown only
// that region of /v1/regions. Every message shows the region it was sent from, the channel's home region and its
// publish→deliver latency (the sender's clock to the reader's: the same machine in the demo); a new tab starts
// with the channel's last HISTORY messages. window.meshgateDemo exposes the client and what the page saw, for tests.
import { MeshgateClient } from '/client.js';

const MAX_ROWS = 500;
/** How many of the channel's latest messages a new tab shows, read with `from` like any resume. */
const HISTORY = 50;
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

const demo = {
  client: null,
  subscription: null,
  /** Every message handed to the page, in order: {ch, epoch, seq, id, data, receivedIn, origin, home, latencyMs, history}. */
  received: [],
  /** The region this tab is pinned to (?region=), or null when the client picks by RTT. */
  pinned: null,
  /** The channel's home region as last asked (GET /demo/home), and the epoch it was asked for. */
  home: null,
  /** Every event the page logged: {at, kind, text}. */
  events: [],
  /** Every publish the page made: {id, ack, error}. */
  published: [],
  start,
  send,
};
window.meshgateDemo = demo;

$('token').value = params.get('token') ?? '';
$('transport').value = ['auto', 'websocket', 'longpoll'].includes(params.get('transport')) ? params.get('transport') : 'auto';
$('channel').value = params.get('channel') ?? 'chat:demo';
$('name').value = params.get('name') ?? `guest-${Math.floor(1000 + Math.random() * 9000)}`;
demo.pinned = params.get('region') || null;

$('settings').addEventListener('submit', (e) => {
  e.preventDefault();
  start();
});
$('transport').addEventListener('change', () => start());
$('compose').addEventListener('submit', (e) => {
  e.preventDefault();
  send($('text').value);
  $('text').value = '';
});

/** (Re)starts the client with the form's settings. */
function start() {
  if (demo.client) {
    demo.client.close();
  }
  demo.received.length = 0;
  demo.subscription = null;
  $('messages').replaceChildren();
  const channel = $('channel').value.trim();
  $('chat-channel').textContent = channel;
  const client = new MeshgateClient({
    urls: [location.origin],
    token: $('token').value.trim() || undefined,
    transport: $('transport').value,
    fetch: demo.pinned ? pinnedFetch(demo.pinned) : undefined,
  });
  demo.client = client;
  demo.home = null;
  client.on('state', (e) => {
    if (client === demo.client) {
      log('state', describeState(e));
      render();
    }
  });
  client.on('region', (e) => {
    log('region', `${e.from ?? '(none)'} → ${e.to}; RTTs ${formatRtts(e.rtts)}`);
    render();
  });
  client.on('subscribed', (e) => {
    log('subscribed', `${e.ch}: head ${e.epoch}:${e.seq}, position ${e.position ? `${e.position.epoch}:${e.position.seq}` : '–'}`);
    refreshHome(channel, e.epoch);
    render();
  });
  client.on('gap', (e) => log('gap', `${e.ch}: messages ${e.from}..${e.to} are no longer held`));
  client.on('error', (e) => log('error', `${e.code}: ${e.reason}`));
  recentStart(channel).then((from) => {
    if (client !== demo.client) {
      return;
    }
    try {
      demo.subscription = client.subscribe(channel, (m) => show(client, m, from), from ? { from } : {});
    } catch (e) {
      log('error', `${e.code ?? 'error'}: ${e.reason ?? e.message}`);
      return;
    }
    client.connect().catch((e) => log('error', `stopped: ${e.code}: ${e.reason}`));
    render();
  });
  render();
}

/**
 * Where a new tab starts reading: HISTORY messages before the channel's head, from a heads-only long-poll (the
 * protocol's way to learn a head), so the chat shows what was said before the tab opened. Null (live only) when
 * the head cannot be read.
 */
async function recentStart(channel) {
  try {
    const token = $('token').value.trim();
    const res = await fetch(`${location.origin}/v1/poll?ch=${encodeURIComponent(channel)}`,
      { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
    const head = (await res.json()).heads?.[channel];
    if (!res.ok || !head) {
      return null;
    }
    const from = { epoch: head.epoch, seq: Math.max(0, head.seq - HISTORY) };
    log('history', `${channel}: head ${head.epoch}:${head.seq}; showing from seq ${from.seq + 1}`);
    return { ...from, head: head.seq };
  } catch (e) {
    log('error', `could not read the head of ${channel}: ${e.message}`);
    return null;
  }
}

/** Asks which region is the channel's home; again whenever the epoch (the sequencer) changes. */
async function refreshHome(channel, epoch) {
  if (demo.home && demo.home.epoch === epoch) {
    return;
  }
  demo.home = { epoch, region: demo.home?.region ?? null };
  try {
    const res = await fetch(`${location.origin}/demo/home?ch=${encodeURIComponent(channel)}`, { cache: 'no-store' });
    const body = await res.json();
    if (res.ok && demo.home.epoch === epoch) {
      demo.home.region = body.home;
      $('home').textContent = body.home;
    }
  } catch (e) {
    log('error', `could not ask the home of ${channel}: ${e.message}`);
  }
}

/** A fetch that shows the client only `region` in /v1/regions, so it connects there and nowhere else. */
function pinnedFetch(region) {
  return async (url, init) => {
    const res = await fetch(url, init);
    if (!String(url).endsWith('/v1/regions') || !res.ok) {
      return res;
    }
    const body = await res.json();
    body.regions = body.regions.filter((r) => r.name === region);
    if (body.regions.length === 0) {
      log('error', `?region=${region}: no such region in /v1/regions`);
    }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
}

/** Publishes one chat line; the sender puts its region in the data so every reader sees where it came from. */
function send(text) {
  const client = demo.client;
  if (!client || !text || !demo.subscription) {
    return null;
  }
  const entry = { id: null, ack: null, error: null };
  demo.published.push(entry);
  const data = { name: $('name').value.trim() || 'anonymous', text, region: client.region, sentAt: Date.now() };
  return client.publish(demo.subscription.channel, data).then(
    (ack) => {
      entry.id = ack.id;
      entry.ack = ack;
      log('ack', `${ack.id} sequenced at ${ack.epoch}:${ack.seq}`);
      return ack;
    },
    (error) => {
      entry.error = { code: error.code, reason: error.reason };
      log('nack', `${error.code}: ${error.reason}`);
      throw error;
    },
  );
}

function show(client, m, start) {
  const receivedIn = client.region;
  const data = m.data && typeof m.data === 'object' ? m.data : { text: JSON.stringify(m.data) };
  refreshHome(m.ch, m.epoch);
  const history = start !== null && m.seq <= start.head;
  const latencyMs = !history && typeof data.sentAt === 'number' ? Math.max(0, Date.now() - data.sentAt) : null;
  const entry = {
    ch: m.ch, epoch: m.epoch, seq: m.seq, id: m.id, data: m.data, receivedIn,
    origin: data.region ?? null, home: demo.home?.region ?? null, latencyMs, history,
  };
  demo.received.push(entry);
  const li = document.createElement('li');
  li.dataset.seq = String(m.seq);
  if (history) {
    li.className = 'history';
  }
  li.append(
    span('pos', `${m.epoch}:${m.seq}`),
    span('who', String(data.name ?? m.id)),
    span('text', String(data.text ?? '')),
    span('origin', `from ${entry.origin ?? '?'}`),
    span('home', `home ${entry.home ?? '?'}`),
    span('latency', history ? 'history' : latencyMs === null ? '–' : `${latencyMs} ms`),
    span('meta', `received in ${receivedIn ?? '?'}`),
  );
  if (entry.home === null) {
    // The home is being asked for; fill it in when the answer comes.
    setTimeout(() => {
      entry.home = demo.home?.region ?? null;
      li.querySelector('.home').textContent = `home ${entry.home ?? '?'}`;
    }, 300);
  }
  const list = $('messages');
  list.append(li);
  while (list.children.length > MAX_ROWS) {
    list.firstElementChild.remove();
  }
  li.scrollIntoView({ block: 'nearest' });
  render();
}

function render() {
  const client = demo.client;
  if (!client) {
    return;
  }
  $('state').textContent = client.state;
  $('state').dataset.state = client.state;
  $('region').textContent = client.region ?? '–';
  $('pinned').textContent = demo.pinned ? `${demo.pinned} (?region=)` : 'no: lowest RTT';
  $('node').textContent = client.node ?? '–';
  $('transport-now').textContent = client.transport ?? '–';
  const position = demo.subscription?.position;
  $('position').textContent = position ? `${position.epoch}:${position.seq}` : '–';

  const regions = client.regions;
  const ranked = regions.filter((r) => r.healthy && r.rtt !== null).sort((a, b) => a.rtt - b.rtt);
  $('rtts').tBodies[0].replaceChildren(...regions.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.region = r.name;
    if (r.name === client.region) {
      tr.className = 'chosen';
    }
    const rank = ranked.findIndex((x) => x.name === r.name);
    const note = !r.healthy ? 'unhealthy: not probed' : r.rtt === null ? 'unreachable' : `#${rank + 1}`;
    tr.append(cell(r.name), cell(r.rtt === null ? '–' : `${r.rtt.toFixed(1)} ms`),
      cell(r.samples.map((s) => (s === null ? 'failed' : s.toFixed(1))).join(', ')),
      cell(r.name === client.region ? `${note}, connected` : note));
    return tr;
  }));
  $('why').textContent = explain(client, ranked);
}

function explain(client, ranked) {
  if (demo.pinned) {
    return `Pinned to ${demo.pinned} by ?region=: the client was shown only that region of /v1/regions. `
      + 'Open the page without ?region= to let it pick the lowest RTT.';
  }
  if (ranked.length === 0) {
    return 'Regions are ranked once the client starts: GET /v1/regions, then GET /v1/ping three times per region.';
  }
  const best = ranked[0];
  if (client.region === best.name) {
    return `${best.name} has the lowest median RTT (${best.rtt.toFixed(1)} ms over 3 probes), so the client connected there.`;
  }
  if (client.region) {
    return `${best.name} ranks first, but the client is on ${client.region}: after two failed attempts on a region it `
      + 'moves to the next one of the ranking (or a move frame sent it there).';
  }
  return `${best.name} ranks first.`;
}

function describeState(e) {
  switch (e.state) {
    case 'connecting':
      return e.phase === 'ranking'
        ? 'ranking regions: GET /v1/regions, then 3 × GET /v1/ping per region'
        : `connecting to ${e.region} over ${e.transport} (${e.url})`;
    case 'connected':
      return `connected to ${e.region}${e.node ? `, node ${e.node}` : ''}, over ${e.transport}`;
    case 'disconnected':
      return `disconnected: ${e.reason}${e.code ? ` (close code ${e.code})` : ''}`;
    default:
      return JSON.stringify(e);
  }
}

function formatRtts(rtts) {
  return Object.entries(rtts).map(([name, ms]) => `${name} ${ms === null ? '–' : `${ms.toFixed(1)} ms`}`).join(', ');
}

function log(kind, text) {
  const at = new Date();
  demo.events.push({ at: at.getTime(), kind, text });
  const li = document.createElement('li');
  li.className = kind;
  li.append(span('time', at.toISOString().slice(11, 23)), span('kind', kind), span('text', text));
  const list = $('events');
  list.prepend(li);
  while (list.children.length > MAX_ROWS) {
    list.lastElementChild.remove();
  }
}

function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

start();
