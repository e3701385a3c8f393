// The demo page's logic: one MeshgateClient from /client.js, a chat on one channel, and everything the client
// decides (region, RTTs, transport, reconnects) on screen. Settings come from the form or the query string
// (?token=&transport=&channel=&name=). window.meshgateDemo exposes the client and what the page saw, for tests.
import { MeshgateClient } from '/client.js';

const MAX_ROWS = 500;
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

const demo = {
  client: null,
  subscription: null,
  /** Every message handed to the page, in order: {ch, epoch, seq, id, data, receivedIn}. */
  received: [],
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
  $('messages').replaceChildren();
  const channel = $('channel').value.trim();
  $('chat-channel').textContent = channel;
  const client = new MeshgateClient({
    urls: [location.origin],
    token: $('token').value.trim() || undefined,
    transport: $('transport').value,
  });
  demo.client = client;
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
    render();
  });
  client.on('gap', (e) => log('gap', `${e.ch}: messages ${e.from}..${e.to} are no longer held`));
  client.on('error', (e) => log('error', `${e.code}: ${e.reason}`));
  try {
    demo.subscription = client.subscribe(channel, (m) => show(client, m));
  } catch (e) {
    log('error', `${e.code ?? 'error'}: ${e.reason ?? e.message}`);
    return;
  }
  client.connect().catch((e) => log('error', `stopped: ${e.code}: ${e.reason}`));
  render();
}

/** Publishes one chat line; the sender puts its region in the data so every reader sees where it came from. */
function send(text) {
  const client = demo.client;
  if (!client || !text) {
    return null;
  }
  const entry = { id: null, ack: null, error: null };
  demo.published.push(entry);
  const data = { name: $('name').value.trim() || 'anonymous', text, region: client.region };
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

function show(client, m) {
  const receivedIn = client.region;
  demo.received.push({ ch: m.ch, epoch: m.epoch, seq: m.seq, id: m.id, data: m.data, receivedIn });
  const data = m.data && typeof m.data === 'object' ? m.data : { text: JSON.stringify(m.data) };
  const li = document.createElement('li');
  li.dataset.seq = String(m.seq);
  li.append(
    span('pos', `${m.epoch}:${m.seq}`),
    span('who', String(data.name ?? m.id)),
    span('text', String(data.text ?? '')),
    span('meta', `sent from ${data.region ?? '?'}, received in ${receivedIn ?? '?'}`),
  );
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
