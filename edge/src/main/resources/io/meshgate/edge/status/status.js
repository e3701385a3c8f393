// The status page: renders each picture the node streams from /status/events (see StatusHandler).
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
let lastAt = 0;

function el(tag, attrs, text) {
  const node = tag === 'svg-text' ? document.createElementNS(SVG, 'text')
    : attrs && attrs.svg ? document.createElementNS(SVG, tag) : document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => { if (k !== 'svg') node.setAttribute(k, v); });
  if (text !== undefined) node.textContent = text;
  return node;
}

function table(id, head, rows) {
  const t = document.getElementById(id);
  t.replaceChildren();
  const tr = el('tr');
  head.forEach(h => tr.appendChild(el('th', {}, h)));
  t.appendChild(tr);
  rows.forEach(r => {
    const row = el('tr');
    r.forEach(c => {
      const td = el('td', c && c.cls ? { class: c.cls } : {}, c && c.text !== undefined ? c.text : String(c));
      row.appendChild(td);
    });
    t.appendChild(row);
  });
  if (rows.length === 0) {
    const row = el('tr');
    row.appendChild(el('td', { colspan: head.length }, 'none'));
    t.appendChild(row);
  }
}

function ms(v) {
  return v === null || v === undefined ? '-' : Number(v).toFixed(1);
}

function linkState(s, a, b) {
  if (a === s.region) return (s.links[b] || {}).state || 'down';
  if (b === s.region) return (s.links[a] || {}).state || 'down';
  const row = (s.rttMs || {})[a] || {};
  return row[b] !== null && row[b] !== undefined ? 'up' : 'down';
}

function graph(s) {
  const svg = document.getElementById('graph');
  svg.replaceChildren();
  const n = s.regions.length;
  const pos = {};
  s.regions.forEach((r, i) => {
    const angle = -Math.PI / 2 + 2 * Math.PI * i / n;
    pos[r] = { x: 200 + 130 * Math.cos(angle), y: 175 + 130 * Math.sin(angle) };
  });
  const colors = { up: '#16803c', relayed: '#b26b00', down: '#c0262d' };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = s.regions[i], b = s.regions[j];
      const state = linkState(s, a, b);
      svg.appendChild(el('line', { svg: 1, x1: pos[a].x, y1: pos[a].y, x2: pos[b].x, y2: pos[b].y,
        stroke: colors[state], 'stroke-width': 3, 'stroke-dasharray': state === 'up' ? '' : '6 4',
        'data-link': a + '|' + b, 'data-state': state }));
      const rtt = ((s.rttMs || {})[a] || {})[b];
      svg.appendChild(el('svg-text', { x: (pos[a].x + pos[b].x) / 2 + 4, y: (pos[a].y + pos[b].y) / 2 - 4 },
        state + (rtt !== null && rtt !== undefined ? ' ' + ms(rtt) + ' ms' : '')));
    }
  }
  s.regions.forEach(r => {
    const live = s.live.includes(r);
    svg.appendChild(el('circle', { svg: 1, cx: pos[r].x, cy: pos[r].y, r: 34, fill: live ? '#e3f4e8' : '#fbe3e4',
      stroke: r === s.region ? '#222' : '#888', 'stroke-width': r === s.region ? 3 : 1, 'data-region': r,
      'data-live': String(live) }));
    svg.appendChild(el('svg-text', { x: pos[r].x, y: pos[r].y + 4, 'text-anchor': 'middle' }, r));
  });
}

function render(s) {
  lastAt = Date.now();
  document.getElementById('where').textContent = '— ' + s.region + ' / ' + s.node;
  document.getElementById('updated').textContent = new Date(s.atMs).toISOString();
  document.getElementById('stale').textContent = '';
  graph(s);
  table('matrix', ['from \\ to'].concat(s.regions), s.regions.map(a =>
    [a].concat(s.regions.map(b => a === b ? '' : ms(((s.rttMs || {})[a] || {})[b])))));
  table('links', ['peer', 'link', 'RTT ms', 'queued', 'breaker', 'region live'],
    Object.entries(s.links || {}).map(([peer, l]) => [peer, { text: l.state, cls: l.state }, ms(l.rttMs),
      l.queued, l.breaker, { text: l.regionLive ? 'live' : 'down', cls: l.regionLive ? 'up' : 'down' }]));
  const ch = s.channels || {};
  table('channels', ['home', 'channels'], Object.entries(ch.perHome || {}).map(([h, c]) => [h, c])
    .concat([['total', ch.total === undefined ? '-' : ch.total]]));
  table('nodes', ['node', 'connections', 'messages/s', 'acks/s'],
    (s.nodes || []).map(n => [n.node, n.connections, n.messagesPerSec, n.acksPerSec]));
  table('rehomes', ['at', 'region', 'channels', 'live after'], (s.rehomes || []).map(e =>
    [e.at, e.region, { text: e.direction === 'away' ? 'moved away' : 'came back', cls: e.direction === 'away'
      ? 'down' : 'up' }, e.live.join(', ')]));
  table('faults', ['peer', 'latency ms', 'jitter ms', 'drop', 'cut'], Object.entries(s.faults || {}).map(
    ([p, f]) => [p, f.latencyMs, f.jitterMs, f.drop, f.cut]));
  document.body.setAttribute('data-rendered', String(s.atMs));
}

const source = new EventSource('/status/events');
source.onmessage = e => render(JSON.parse(e.data));
setInterval(() => {
  if (lastAt && Date.now() - lastAt > 5000) {
    document.getElementById('stale').textContent = '(no update for ' + Math.round((Date.now() - lastAt) / 1000)
      + ' s: reconnecting)';
  }
}, 1000);
