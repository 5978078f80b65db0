/// <reference lib="dom" />
// The status page's only script: it listens to the agent's server-sent events (`ui/events`) and
// draws one card per ensemble. Every value from the agent goes into the page as text nodes or
// attribute values, never as markup.
import {
  CHART_WINDOW_MS,
  chartModel,
  describeTransition,
  formatDuration,
  formatLag,
  knownFromOf,
  mergeTimeline,
  serverName,
} from '../status-model.js';

/** @typedef {import('../../ensemble/types.js').EnsembleState} EnsembleState */
/** @typedef {import('../../ensemble/types.js').Transition} Transition */
/** @typedef {import('../status-page.js').PageHello} PageHello */
/** @typedef {{ state: EnsembleState, timeline: Transition[], knownFrom: number, card: HTMLElement, offsetMs: number }} Entry */

const SVG = 'http://www.w3.org/2000/svg';
const QUORUM_STATES = ['healthy', 'at_risk', 'lost', 'unknown'];
const ROLES = ['leader', 'follower', 'observer', 'standalone', 'read_only', 'not_serving', 'down', 'unknown'];
/** Leader colours, picked by the leader's position in the node list so a server keeps its colour. */
const LEADER_COLOURS = ['#4c78a8', '#9c6ade', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d', '#54a24b'];
const RECENT_TRANSITIONS = 12;
const DELIVERY_ROWS = 15;

/** @type {Map<string, Entry>} */
const entries = new Map();
/** @type {PageHello | undefined} */
let hello;
let deliveriesTimer = 0;

/**
 * Creates an element; string children become text nodes (never parsed as markup).
 * @param {string} tag
 * @param {string} [className]
 * @param {...(Node | string | undefined)} children
 * @returns {HTMLElement}
 */
function h(tag, className, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const child of children) if (child !== undefined) el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return el;
}

/**
 * Creates an SVG element with attributes (set with setAttribute, so values are never markup).
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 * @returns {SVGElement}
 */
function s(tag, attrs, text) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * A class name from a fixed list, so an unexpected value never reaches the class attribute.
 * @param {string} prefix
 * @param {string[]} allowed
 * @param {string} value
 */
function known(prefix, allowed, value) {
  return allowed.includes(value) ? `${prefix}-${value}` : `${prefix}-other`;
}

/** @param {number} at */
function clock(at) {
  return new Date(at).toLocaleTimeString([], { hour12: false });
}

/**
 * @param {string} label
 * @param {Node | string} value
 * @param {string} [field] `data-field` for the tests and for readers of the markup
 */
function fact(label, value, field) {
  const dd = h('dd', undefined, value);
  if (field) dd.dataset.field = field;
  return h('div', 'fact', h('dt', undefined, label), dd);
}

/** @param {Entry} entry */
function header(entry) {
  const { state } = entry;
  const quorum = h('span', `badge ${known('q', QUORUM_STATES, state.quorum)}`, state.quorum);
  quorum.dataset.field = 'quorum';
  const head = h('header', 'card-head', h('h2', undefined, state.name), quorum);
  if (typeof state.writable === 'boolean') {
    const writable = h('span', `badge ${state.writable ? 'w-yes' : 'w-no'}`, state.writable ? 'writable' : 'writes stalled');
    writable.dataset.field = 'writable';
    head.append(writable);
  }
  if (state.splitBrain) head.append(h('span', 'badge q-lost', `split brain: ${state.splitBrainLeaders.join(', ')}`));
  if (state.staleLeaders.length > 0) head.append(h('span', 'badge q-at_risk', `stale leader: ${state.staleLeaders.join(', ')}`));
  const suspect = state.suspectLeaders ?? [];
  if (suspect.length > 0) head.append(h('span', 'badge q-at_risk', `suspect leader: ${suspect.join(', ')}`));
  const conflicts = state.membershipConflicts ?? [];
  if (conflicts.length > 0) head.append(h('span', 'badge q-at_risk', `conf disagrees: ${conflicts.map((c) => c.server).join(', ')}`));
  const duplicates = state.duplicateServerIds ?? [];
  if (duplicates.length > 0) {
    head.append(
      h('span', 'badge q-at_risk', `duplicate id: ${duplicates.map((d) => `${d.serverId} (${d.servers.join(', ')})`).join('; ')}`),
    );
  }
  return head;
}

/**
 * @param {Entry} entry
 * @param {number} now
 */
function facts(entry, now) {
  const { state } = entry;
  const margin = `${state.healthyVoters}/${state.voters} voters healthy · majority ${state.majority} · margin ${state.margin >= 0 ? '+' : ''}${state.margin}`;
  const unknown = state.unknownVoters > 0 ? ` · ${state.unknownVoters} unknown` : '';
  const leader = state.leader;
  const election =
    state.election.inProgress && state.election.startedAt !== undefined
      ? `election for ${formatDuration(now - state.election.startedAt)}`
      : 'none';
  const list = h(
    'dl',
    'facts',
    fact('Quorum', margin + unknown, 'margin'),
    fact('Leader', leader ? serverName(leader.server, leader.serverId) : election, 'leader'),
    fact('Epoch', leader ? String(leader.epoch) : '—', 'epoch'),
    fact('Leader for', leader ? formatDuration(now - leader.since) : '—'),
    fact('Leader changes · elections', `${state.leaderChanges} · ${state.electionsTotal}`),
    fact(
      'Sessions · connections · outstanding',
      `${state.totals.globalSessions ?? '—'} · ${state.totals.connections} · ${state.totals.outstanding}`,
    ),
    fact(
      'Membership',
      `${state.membershipSource}${state.configVersion ? ` v${state.configVersion}` : ''} · ${state.observers} observer${state.observers === 1 ? '' : 's'}`,
    ),
  );
  return list;
}

/** @param {EnsembleState} state */
function nodesTable(state) {
  const head = h(
    'tr',
    undefined,
    ...['server', 'id', 'role', 'zxid', 'lag', 'outstanding', 'connections', 'reason'].map((c) => h('th', undefined, c)),
  );
  const rows = state.nodes.map((node) => {
    const role = h('span', `role ${known('r', ROLES, node.role)}`, node.role + (node.voter ? '' : ' (non-voting)'));
    const row = h(
      'tr',
      undefined,
      h('td', 'mono', node.server),
      h('td', undefined, node.serverId === undefined ? '' : String(node.serverId)),
      h('td', undefined, role),
      h('td', 'mono', node.zxid?.hex ?? ''),
      h('td', 'num', formatLag(node)),
      h('td', 'num', node.outstanding === undefined ? '' : String(node.outstanding)),
      h('td', 'num', String(node.aliveConnections ?? node.connections ?? '')),
      h('td', 'reason', node.reason ?? ''),
    );
    row.dataset.server = node.server;
    row.dataset.role = node.role;
    return row;
  });
  return h('table', 'nodes', h('thead', undefined, head), h('tbody', undefined, ...rows));
}

/**
 * The last hour as two lanes: quorum state and leader.
 * @param {Entry} entry
 * @param {number} now
 */
function chart(entry, now) {
  const model = chartModel(entry.state, entry.timeline, entry.knownFrom, now);
  const W = 1000;
  const LEFT = 64;
  const plot = W - LEFT - 8;
  const x = (/** @type {number} */ t) => LEFT + ((t - model.windowStart) / model.windowMs) * plot;
  const svg = s('svg', {
    viewBox: `0 0 ${W} 84`,
    class: 'chart',
    role: 'img',
    'aria-label': `${entry.state.name}: quorum state and leader over the last hour`,
  });
  svg.append(s('text', { x: 0, y: 24, class: 'lane' }, 'quorum'), s('text', { x: 0, y: 54, class: 'lane' }, 'leader'));
  // Before the agent started (or before the oldest transition it still holds) nothing is known.
  if (model.knownFrom > model.windowStart) {
    const width = x(model.knownFrom) - LEFT;
    svg.append(s('rect', { x: LEFT, y: 10, width, height: 50, class: 'nodata' }));
    if (width > 120) svg.append(s('text', { x: LEFT + width / 2, y: 40, class: 'lane', 'text-anchor': 'middle' }, 'no data yet'));
  }
  for (const seg of model.quorum) {
    const rect = s('rect', {
      x: x(seg.from),
      y: 12,
      width: Math.max(1, x(seg.to) - x(seg.from)),
      height: 18,
      class: known('q', QUORUM_STATES, seg.value),
    });
    rect.append(s('title', {}, `${seg.value} ${clock(seg.from)}–${clock(seg.to)}`));
    svg.append(rect);
  }
  const servers = entry.state.nodes.map((n) => n.server);
  for (const seg of model.leader) {
    const width = Math.max(1, x(seg.to) - x(seg.from));
    if (seg.value === null) {
      const gap = s('rect', { x: x(seg.from), y: 42, width, height: 18, class: 'noleader' });
      gap.append(s('title', {}, `no leader ${clock(seg.from)}–${clock(seg.to)}`));
      svg.append(gap);
      continue;
    }
    const mark = seg.value;
    const index = servers.indexOf(mark.server);
    const colour = LEADER_COLOURS[(index < 0 ? servers.length : index) % LEADER_COLOURS.length] ?? '#888';
    const name = serverName(mark.server, mark.serverId);
    const rect = s('rect', { x: x(seg.from), y: 42, width, height: 18, fill: colour });
    rect.append(s('title', {}, `${name}${mark.epoch === undefined ? '' : ` epoch ${mark.epoch}`} ${clock(seg.from)}–${clock(seg.to)}`));
    svg.append(rect);
    const label = mark.serverId === undefined ? mark.server : `id ${mark.serverId}${mark.epoch === undefined ? '' : ` · e${mark.epoch}`}`;
    if (width > label.length * 7 + 8) svg.append(s('text', { x: x(seg.from) + 4, y: 55, class: 'seg-label' }, label));
  }
  for (let i = 4; i >= 0; i--) {
    const ago = (model.windowMs * i) / 4;
    const at = now - ago;
    const anchor = i === 0 ? 'end' : i === 4 ? 'start' : 'middle';
    svg.append(s('line', { x1: x(at), x2: x(at), y1: 62, y2: 66, class: 'tick' }));
    svg.append(s('text', { x: x(at), y: 78, class: 'tick-label', 'text-anchor': anchor }, i === 0 ? 'now' : `−${formatDuration(ago)}`));
  }
  return h('div', 'chart-wrap', svg);
}

/** @param {Entry} entry */
function transitions(entry) {
  const recent = entry.timeline.slice(-RECENT_TRANSITIONS).reverse();
  if (recent.length === 0) return h('p', 'muted', 'No transitions since the agent started.');
  return h(
    'ol',
    'transitions',
    ...recent.map((t) =>
      h(
        'li',
        undefined,
        h('time', 'mono', clock(t.at)),
        ' ',
        h('span', known('k', ['quorum_state_changed', 'leader_changed', 'node_down', 'node_up'], t.kind), describeTransition(t)),
      ),
    ),
  );
}

/** @param {Entry} entry */
function render(entry) {
  const now = Date.now() + entry.offsetMs;
  entry.card.replaceChildren(
    header(entry),
    facts(entry, now),
    nodesTable(entry.state),
    // The chart covers the last hour, or the agent's whole life while that is shorter.
    h('h3', undefined, 'Quorum and leader over time'),
    chart(entry, now),
    h('h3', undefined, 'Recent transitions'),
    transitions(entry),
    h('p', 'muted small', `round ${entry.state.rounds} at ${clock(entry.state.lastRoundAt)}`),
  );
}

/** @param {EnsembleState} state */
function onEnsemble(state) {
  const limit = hello?.timelineLimit ?? Infinity;
  let entry = entries.get(state.name);
  // The agent's clock, not the browser's, places the chart's "now" (they may differ).
  const offsetMs = state.lastRoundAt - Date.now();
  const keepFrom = state.lastRoundAt - CHART_WINDOW_MS;
  if (!entry) {
    const card = h('article', 'card');
    card.dataset.ensemble = state.name;
    insertSorted(card, state.name);
    entry = { state, timeline: mergeTimeline([], state.timeline, keepFrom), knownFrom: knownFromOf(state, limit), card, offsetMs };
    entries.set(state.name, entry);
  } else {
    // The page keeps every transition it saw, so the chart outlives the agent's own limit.
    const knownFrom =
      state.initial.at === entry.state.initial.at ? Math.min(entry.knownFrom, knownFromOf(state, limit)) : knownFromOf(state, limit);
    const kept = state.initial.at === entry.state.initial.at ? entry.timeline : [];
    Object.assign(entry, { state, timeline: mergeTimeline(kept, state.timeline, keepFrom), knownFrom, offsetMs });
  }
  render(entry);
}

/**
 * Keeps cards in name order whatever order the events arrive in.
 * @param {HTMLElement} card
 * @param {string} name
 */
function insertSorted(card, name) {
  const main = /** @type {HTMLElement} */ (document.getElementById('ensembles'));
  const after = Array.from(main.children).find((c) => (c instanceof HTMLElement ? (c.dataset.ensemble ?? '') : '') > name);
  main.insertBefore(card, after ?? null);
}

/**
 * @param {'open' | 'wait' | 'down'} kind
 * @param {string} text
 */
function connection(kind, text) {
  const el = /** @type {HTMLElement} */ (document.getElementById('connection'));
  el.className = `conn conn-${kind}`;
  el.textContent = text;
}

/** @typedef {{ at: number, type: string, hook?: string, event?: string, ensemble?: string, result?: string, outcome?: unknown, attempt?: number, detail?: string, by?: string }} Delivery */

async function loadDeliveries() {
  try {
    const res = await fetch('api/v1/hooks/deliveries?limit=100', { cache: 'no-store' });
    if (!res.ok) return;
    const body = /** @type {{ entries: Delivery[] }} */ (parseJson(await res.text()));
    const rows = body.entries
      .slice(-DELIVERY_ROWS)
      .reverse()
      .map((d) => {
        const outcome =
          typeof d.outcome === 'string' ? d.outcome : d.outcome && typeof d.outcome === 'object' ? JSON.stringify(d.outcome) : '';
        const result = [d.result, outcome, d.attempt === undefined ? '' : `attempt ${d.attempt}`].filter(Boolean).join(' · ');
        return h(
          'tr',
          undefined,
          ...[clock(d.at), d.type, d.hook, d.event, d.ensemble, result, d.detail ?? d.by].map((v) => h('td', undefined, v ?? '')),
        );
      });
    /** @type {HTMLElement} */ (document.getElementById('deliveries')).replaceChildren(...rows);
    /** @type {HTMLElement} */ (document.getElementById('deliveries-empty')).hidden = rows.length > 0;
  } catch {
    // The agent is restarting; the connection badge already says so and the next poll retries.
  }
}

/** @param {PageHello} next */
function onHello(next) {
  hello = next;
  /** @type {HTMLElement} */ (document.getElementById('agent-meta')).textContent =
    `agent ${next.version} · polling every ${formatDuration(next.intervalMs)}`;
  /** @type {HTMLElement} */ (document.getElementById('hooks')).hidden = !next.hooks;
  window.clearInterval(deliveriesTimer);
  if (next.hooks) {
    void loadDeliveries();
    deliveriesTimer = window.setInterval(() => void loadDeliveries(), Math.max(2000, next.intervalMs * 2));
  }
}

/**
 * JSON.parse typed as unknown, so each caller states what it expects.
 * @param {string} text
 * @returns {unknown}
 */
function parseJson(text) {
  return JSON.parse(text);
}

function connect() {
  const events = new EventSource('ui/events');
  events.addEventListener('open', () => connection('open', 'live'));
  events.addEventListener('error', () => connection('down', 'disconnected: retrying…'));
  events.addEventListener('hello', (e) => onHello(/** @type {PageHello} */ (parseJson(/** @type {MessageEvent<string>} */ (e).data))));
  events.addEventListener('ensemble', (e) =>
    onEnsemble(/** @type {EnsembleState} */ (parseJson(/** @type {MessageEvent<string>} */ (e).data))),
  );
}

// Durations and the chart move with time even between rounds.
window.setInterval(() => {
  for (const entry of entries.values()) render(entry);
}, 5000);
connect();
