/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the sampled time went, by function
 * (self time), by package or agent module of the sampled frame, and by the nearest agent frame
 * (`dist/…`) on the stack, which charges library and Node.js internals to the agent code that called them.
 */
import fs from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One row of a summary: a name and the sampled milliseconds charged to it. */
export interface Row {
  name: string;
  ms: number;
}

/** The summaries of one profile. */
export interface ProfileSummary {
  /** Sampled time without `(idle)`. */
  busyMs: number;
  idleMs: number;
  selfByFunction: Row[];
  selfByModule: Row[];
  byAgentFrame: Row[];
  /** Inclusive (total) time of agent functions (each function counted once per sample). */
  inclusiveAgent: Row[];
}

const ROOT = new URL('../', import.meta.url).href;

function shortUrl(url: string): string {
  if (url.startsWith(ROOT)) return url.slice(ROOT.length);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 1);
  return url;
}

function frameName(frame: CallFrame): string {
  const fn = frame.functionName || '(anonymous)';
  if (frame.url === '') return fn;
  return `${fn}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

/** Package (`prom-client`), Node.js internals (`node:net`), agent file (`dist/zk/four-letter.js`) or V8 pseudo-frame. */
function moduleOf(frame: CallFrame): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const url = shortUrl(frame.url);
  const nm = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  return url;
}

const isAgent = (frame: CallFrame): boolean => shortUrl(frame.url).startsWith('dist/');

function top(map: Map<string, number>, n: number): Row[] {
  return [...map.entries()]
    .map(([name, ms]) => ({ name, ms }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

/** Part of a profile to summarise: milliseconds since the profile started (about when the process started). */
export interface ProfileRange {
  fromMs: number;
  toMs: number;
}

/** Reads and summarises one `.cpuprofile`, or only the samples within `range`. */
export async function summariseProfile(file: string, n = 20, range?: ProfileRange): Promise<ProfileSummary> {
  const profile = JSON.parse(await fs.readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const selfFn = new Map<string, number>();
  const selfModule = new Map<string, number>();
  const agentFrame = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;

  const { samples, timeDeltas } = profile;
  let at = 0;
  for (let i = 0; i < samples.length; i++) {
    at += (timeDeltas[i] ?? 0) / 1000;
    if (range && (at < range.fromMs || at >= range.toMs)) continue;
    // A sample lasts until the next one is taken.
    const ms = (timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(samples[i]!);
    if (!leaf) continue;
    if (leaf.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    add(selfFn, frameName(leaf.callFrame), ms);
    add(selfModule, moduleOf(leaf.callFrame), ms);

    let nearestAgent: string | undefined;
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!isAgent(frame)) continue;
      const name = frameName(frame);
      nearestAgent ??= name;
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusive, name, ms);
      }
    }
    add(agentFrame, nearestAgent ?? `(no agent frame) ${moduleOf(leaf.callFrame)}`, ms);
  }

  return {
    busyMs,
    idleMs,
    selfByFunction: top(selfFn, n),
    selfByModule: top(selfModule, n),
    byAgentFrame: top(agentFrame, n),
    inclusiveAgent: top(inclusive, n),
  };
}

/** The summary as text: one block per view, each row with ms and % of busy time. */
export function formatSummary(summary: ProfileSummary): string {
  const pct = (ms: number): string => `${((100 * ms) / (summary.busyMs || 1)).toFixed(1).padStart(5)} %`;
  const block = (title: string, rows: Row[]): string =>
    [title, ...rows.map((row) => `  ${row.ms.toFixed(0).padStart(7)} ms ${pct(row.ms)}  ${row.name}`)].join('\n');
  return [
    `sampled busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
    block('self time by function:', summary.selfByFunction),
    block('self time by package / agent file of the sampled frame:', summary.selfByModule),
    block('time charged to the nearest agent frame on the stack (libraries and Node.js internals included):', summary.byAgentFrame),
    block('inclusive time of agent functions:', summary.inclusiveAgent),
  ].join('\n\n');
}
