import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installCrashPointCallback } from '../../../src/hooks/deliver/crash-points.js';
import { Deliverer, type DelivererOptions } from '../../../src/hooks/deliver/http-delivery.js';
import { Outbox } from '../../../src/hooks/deliver/outbox.js';
import { verifySignature } from '../../../src/hooks/signing.js';
import type { HookTargetConfig as HookTarget } from '../../../src/config/types.js';
import type { AuditEntry, HookIntent, IntentResult } from '../../../src/hooks/types.js';
import { holdsFor, waitFor } from '../../harness/wait.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

type Responder = (req: Received, n: number, res: ServerResponse) => void;

/** A real HTTP receiver on port 0 that records requests and answers through `respond` (n counts from 1). */
class Receiver {
  readonly requests: Received[] = [];
  active = 0;
  peak = 0;
  private server: Server;
  constructor(private respond: Responder) {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const got = { headers: req.headers, body };
        this.requests.push(got);
        this.active++;
        this.peak = Math.max(this.peak, this.active);
        res.on('close', () => this.active--);
        this.respond(got, this.requests.length, res);
      });
    });
  }
  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function status(code: number, headers: Record<string, string> = {}): Responder {
  return (_req, _n, res) => {
    res.writeHead(code, headers);
    res.end();
  };
}

const NOW = 1_700_000_000_000;

function intent(n: number, hook = 'pager', createdAt = NOW): HookIntent {
  const idempotencyKey = `kafka/quorum_lost/${n}`;
  return {
    id: `id-${n}`,
    idempotencyKey,
    hook,
    event: 'quorum_lost',
    ensemble: 'kafka',
    createdAt,
    payload: {
      event: 'quorum_lost',
      idempotencyKey,
      ensemble: 'kafka',
      quorum: 'lost',
      agent: { id: 'a1', version: '0.1.0' },
      triggeredAt: createdAt,
    },
  };
}

function target(url: string, extra: Partial<HookTarget> = {}): HookTarget {
  return {
    name: 'pager',
    url,
    timeoutMs: 2_000,
    maxAgeMs: 3_600_000,
    concurrency: 2,
    initialBackoffMs: 1_000,
    maxBackoffMs: 60_000,
    ...extra,
  };
}

let dir: string;
const cleanup: Array<() => Promise<void>> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zk-delivery-'));
});
afterEach(async () => {
  // Receivers close first so a held request fails fast instead of making stop() wait for its timeout.
  for (const f of cleanup.splice(0)) await f();
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(respond: Responder): Promise<{ rx: Receiver; url: string }> {
  const rx = new Receiver(respond);
  const url = await rx.listen();
  cleanup.push(() => rx.close());
  return { rx, url };
}

interface Harness {
  deliverer: Deliverer;
  outbox: Outbox;
  audit: AuditEntry[];
  results: Array<[string, IntentResult]>;
  sleeps: number[];
  /** Resolves once `count` results have been reported; fails naming what it awaited after `timeoutMs`. */
  settled(count: number, timeoutMs?: number): Promise<void>;
}

async function harness(targets: HookTarget[], options: Partial<DelivererOptions> = {}, outbox?: Outbox): Promise<Harness> {
  const box = outbox ?? (await Outbox.open(join(dir, 'state')));
  const audit: AuditEntry[] = [];
  const results: Array<[string, IntentResult]> = [];
  const sleeps: number[] = [];
  const waiters: Array<() => void> = [];
  const deliverer = new Deliverer({
    targets,
    outbox: box,
    secrets: ['s3cret-new', 's3cret-old'],
    dryRun: false,
    audit: (e) => audit.push(e),
    onResult: (i, r) => {
      results.push([i.id, r]);
      for (const w of waiters.splice(0)) w();
    },
    now: () => NOW,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
      await delay(1);
    },
    ...options,
  });
  cleanup.push(async () => {
    await deliverer.stop();
    await box.close();
  });
  const settled = async (count: number, timeoutMs = 5_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (results.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} delivery results (${results.length} reported)`);
      let timer: NodeJS.Timeout | undefined;
      // Woken by the next result, or by the deadline.
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  };
  return { deliverer, outbox: box, audit, results, sleeps, settled };
}

describe('Deliverer', () => {
  it('delivers once with the documented headers and a signature that verifies', async () => {
    const { rx, url } = await receiver(status(204));
    const h = await harness([target(url, { headers: { Authorization: 'Bearer abc', 'Idempotency-Key': 'overridden?' } })]);
    expect(await h.deliverer.submit(intent(1))).toBe(true);
    await h.settled(1);

    expect(h.results).toEqual([['id-1', 'delivered']]);
    expect(rx.requests).toHaveLength(1);
    const [req] = rx.requests;
    expect(JSON.parse(req!.body)).toEqual(intent(1).payload);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('zk-ensemble-exporter');
    expect(req!.headers['idempotency-key']).toBe('kafka/quorum_lost/1');
    expect(req!.headers['authorization']).toBe('Bearer abc');
    const signature = req!.headers['x-zk-signature'] as string;
    expect(signature).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(signature, req!.body, ['s3cret-new'], NOW / 1000)).toEqual({ ok: true });
    expect(verifySignature(signature, req!.body, ['s3cret-old'], NOW / 1000)).toEqual({
      ok: false,
      reason: 'signature mismatch: no v1 matches any configured secret',
    });
    expect(h.outbox.pending()).toEqual([]);
    expect(h.outbox.hasDone('pager', 'kafka/quorum_lost/1')).toBe(true);
    expect(h.audit.map((e) => e.type)).toEqual(['intent', 'attempt', 'result']);
    expect(h.audit[1]).toEqual({
      at: NOW,
      type: 'attempt',
      intentId: 'id-1',
      hook: 'pager',
      event: 'quorum_lost',
      ensemble: 'kafka',
      idempotencyKey: 'kafka/quorum_lost/1',
      attempt: 1,
      outcome: { kind: 'delivered', status: 204 },
    });
    // Header values (and secrets) never reach the audit trail.
    expect(JSON.stringify(h.audit)).not.toMatch(/Bearer abc|s3cret/);
    expect(h.deliverer.stats().results['pager']).toEqual({ delivered: 1, rejected: 0, dead_lettered: 0, suppressed: 0, dry_run: 0 });
  });

  it('sends no signature header when no secret is configured', async () => {
    const { rx, url } = await receiver(status(200));
    const h = await harness([target(url)], { secrets: [] });
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(rx.requests[0]!.headers['x-zk-signature']).toBeUndefined();
  });

  it('calls the installed crash-point callback after persisting and after sending, in that order', async () => {
    const { rx, url } = await receiver(status(200));
    const points: Array<[string, number]> = [];
    // The journal's own point (mid-write) is covered by the store's tests.
    installCrashPointCallback((point) => point !== 'journal-mid-write' && points.push([point, rx.requests.length]));
    try {
      const h = await harness([target(url)]);
      await h.deliverer.submit(intent(1));
      await h.settled(1);
    } finally {
      installCrashPointCallback(undefined);
    }
    // The request count at each point shows where it sits: before the POST, then after it.
    expect(points).toEqual([
      ['after-persist', 0],
      ['after-send', 1],
    ]);
  });

  it('calls no crash-point callback when none is installed', async () => {
    const { url } = await receiver(status(200));
    const seen: string[] = [];
    installCrashPointCallback((point) => seen.push(point));
    installCrashPointCallback(undefined);
    const h = await harness([target(url)]);
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect([seen, h.results]).toEqual([[], [['id-1', 'delivered']]]);
  });

  it('refuses a duplicate idempotency key and audits it', async () => {
    const { rx, url } = await receiver(status(200));
    const h = await harness([target(url)]);
    expect(await h.deliverer.submit(intent(1))).toBe(true);
    await h.settled(1);
    expect(await h.deliverer.submit({ ...intent(1), id: 'again' })).toBe(false);
    expect(rx.requests).toHaveLength(1);
    expect(h.audit.at(-1)).toMatchObject({
      type: 'duplicate',
      intentId: 'again',
      detail: 'an intent with this idempotency key is already pending or done',
    });
  });

  it('retries a 500 with the same Idempotency-Key and a fresh signature, and the receiver sees it once', async () => {
    const processed = new Set<string>();
    let clock = NOW;
    const { rx, url } = await receiver((req, n, res) => {
      // Processes the first request but fails to answer well: the classic reason for a duplicate.
      processed.add(req.headers['idempotency-key'] as string);
      res.writeHead(n === 1 ? 500 : 200);
      res.end();
    });
    const h = await harness([target(url, { initialBackoffMs: 4_000 })], {
      now: () => clock,
      sleep: (ms) => {
        h.sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(h.results).toEqual([['id-1', 'delivered']]);
    expect(rx.requests.map((r) => r.headers['idempotency-key'])).toEqual(['kafka/quorum_lost/1', 'kafka/quorum_lost/1']);
    expect(processed.size).toBe(1);
    // Full jitter: random 0.5 × min(max, initial·2^0).
    expect(h.sleeps).toEqual([2_000]);
    const [first, second] = rx.requests.map((r) => r.headers['x-zk-signature'] as string);
    expect(first).not.toBe(second);
    expect(verifySignature(second, rx.requests[1]!.body, ['s3cret-new'], Math.floor(clock / 1000))).toEqual({ ok: true });
    expect(h.audit.filter((e) => e.type === 'attempt').map((e) => e.outcome)).toEqual([
      { kind: 'retry', status: 500 },
      { kind: 'delivered', status: 200 },
    ]);
  });

  it('doubles the backoff per attempt up to the maximum', async () => {
    const { url } = await receiver((_req, n, res) => {
      res.writeHead(n <= 5 ? 503 : 200);
      res.end();
    });
    const h = await harness([target(url, { initialBackoffMs: 100, maxBackoffMs: 1_000 })], { random: () => 0.999 });
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(h.sleeps).toEqual([99, 199, 399, 799, 999]);
  });

  it('retries 408, 425 and 429 and gives up on no other 4xx', async () => {
    const codes = [408, 425, 429, 200];
    const { rx, url } = await receiver((_req, n, res) => {
      res.writeHead(codes[n - 1]!);
      res.end();
    });
    const h = await harness([target(url)]);
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(rx.requests).toHaveLength(4);
    expect(h.results).toEqual([['id-1', 'delivered']]);
  });

  it('honours Retry-After on 429, capped at the maximum backoff', async () => {
    const { rx, url } = await receiver((_req, n, res) => {
      res.writeHead(n === 1 ? 429 : n === 2 ? 503 : 200, { 'Retry-After': n === 1 ? '7' : '3600' });
      res.end();
    });
    const h = await harness([target(url, { maxBackoffMs: 30_000 })]);
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(h.sleeps).toEqual([7_000, 30_000]);
    expect(rx.requests).toHaveLength(3);
  });

  it('rejects a 400 without retrying', async () => {
    const { rx, url } = await receiver(status(400));
    const h = await harness([target(url)]);
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(h.results).toEqual([['id-1', 'rejected']]);
    expect(rx.requests).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
    expect(h.audit.at(-1)).toMatchObject({ type: 'result', result: 'rejected', detail: 'HTTP 400' });
    expect(h.outbox.pending()).toEqual([]);
  });

  it('reports a redirect as rejected instead of following it', async () => {
    const { rx, url } = await receiver(status(302, { Location: '/elsewhere' }));
    const h = await harness([target(url)]);
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(h.results).toEqual([['id-1', 'rejected']]);
    expect(rx.requests).toHaveLength(1);
  });

  it('retries when the connection is refused', async () => {
    const probe = new Receiver(status(200));
    const url = await probe.listen();
    const port = Number(new URL(url).port);
    await probe.close();
    const late = new Receiver(status(200));
    cleanup.push(() => late.close());
    const h = await harness([target(url)], {
      sleep: async (ms) => {
        h.sleeps.push(ms);
        // The receiver comes up after the second refusal.
        if (h.sleeps.length === 2) await late.listen(port);
      },
    });
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(h.results).toEqual([['id-1', 'delivered']]);
    expect(h.audit.filter((e) => e.type === 'attempt').map((e) => e.outcome)).toEqual([
      { kind: 'retry', error: 'network error: ECONNREFUSED' },
      { kind: 'retry', error: 'network error: ECONNREFUSED' },
      { kind: 'delivered', status: 200 },
    ]);
    expect(late.requests).toHaveLength(1);
  });

  it('times out an attempt on a server that never answers, then retries', async () => {
    const { rx, url } = await receiver((_req, n, res) => {
      if (n === 1) return; // hang
      res.writeHead(200);
      res.end();
    });
    const h = await harness([target(url, { timeoutMs: 200 })]);
    const started = Date.now();
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(h.audit.filter((e) => e.type === 'attempt').map((e) => e.outcome)).toEqual([
      { kind: 'retry', error: 'timeout after 200ms' },
      { kind: 'delivered', status: 200 },
    ]);
    expect(rx.requests).toHaveLength(2);
  });

  it('dead-letters an intent past its maximum age without sending', async () => {
    const { rx, url } = await receiver(status(200));
    const h = await harness([target(url, { maxAgeMs: 60_000 })]);
    await h.deliverer.submit(intent(1, 'pager', NOW - 60_001));
    await h.settled(1);
    expect(h.results).toEqual([['id-1', 'dead_lettered']]);
    expect(rx.requests).toHaveLength(0);
    expect(h.deliverer.stats().deadLetters).toBe(1);
    expect(h.audit.at(-1)).toMatchObject({ type: 'result', result: 'dead_lettered', detail: 'max age 60000ms exceeded before attempt 1' });
  });

  it('dead-letters once the next retry would start after the maximum age', async () => {
    let clock = NOW;
    const { rx, url } = await receiver(status(502));
    const h = await harness([target(url, { maxAgeMs: 10_000, initialBackoffMs: 2_000, maxBackoffMs: 8_000 })], {
      now: () => clock,
      random: () => 1 - Number.EPSILON,
      sleep: (ms) => {
        h.sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    // Waits 1999 then 3999 (6s of 10s used); the next 7999 would overshoot.
    expect(h.sleeps).toEqual([1_999, 3_999]);
    expect(rx.requests).toHaveLength(3);
    expect(h.results).toEqual([['id-1', 'dead_lettered']]);
    expect(h.deliverer.stats().deadLetters).toBe(1);
  });

  it('never exceeds the per-hook concurrency and starts intents in FIFO order', async () => {
    const held: ServerResponse[] = [];
    const { rx, url } = await receiver((_req, _n, res) => held.push(res));
    const h = await harness([target(url, { concurrency: 2 })]);
    for (let n = 1; n <= 6; n++) await h.deliverer.submit(intent(n));
    await waitFor('the first two requests held by the receiver', () => Promise.resolve(held.length >= 2 || undefined), 5_000, 5);
    // Nothing more may start while both slots are held. A third request, had one been started, would
    // reach this loopback receiver within a few milliseconds; 50 ms covers that many times over
    // (and rx.peak below checks the bound over the whole run).
    await holdsFor(
      50,
      () => {
        expect(rx.active).toBe(2);
        expect(h.deliverer.stats().inFlight).toEqual({ pager: 2 });
        expect(h.deliverer.stats().queueDepth).toEqual({ pager: 4 });
      },
      10,
    );
    expect(h.deliverer.isInFlight('pager', 'kafka/quorum_lost/6')).toBe(true);
    expect(h.deliverer.isInFlight('pager', 'hbase/')).toBe(false);
    expect(h.deliverer.isInFlight('chat')).toBe(false);
    // Answer the six requests one by one as each reaches the receiver.
    for (let n = 1; n <= 6; n++) {
      const { value: res } = await waitFor(`request ${n} held by the receiver`, () => Promise.resolve(held.shift()), 5_000, 5);
      res.writeHead(200);
      res.end();
    }
    await h.settled(6);
    expect(rx.peak).toBe(2);
    expect(rx.requests.map((r) => r.headers['idempotency-key'])).toEqual([1, 2, 3, 4, 5, 6].map((n) => `kafka/quorum_lost/${n}`));
    expect(h.deliverer.isInFlight('pager')).toBe(false);
    expect(h.deliverer.stats().queueDepth).toEqual({ pager: 0 });
  });

  it('keeps hooks independent: a slow hook does not hold up another', async () => {
    const held: ServerResponse[] = [];
    const slow = await receiver((_req, _n, res) => held.push(res));
    const fast = await receiver(status(200));
    const h = await harness([target(slow.url, { name: 'slow', concurrency: 1 }), target(fast.url, { name: 'fast', concurrency: 1 })]);
    await h.deliverer.submit(intent(1, 'slow'));
    await h.deliverer.submit(intent(2, 'slow'));
    await h.deliverer.submit(intent(3, 'fast'));
    await h.settled(1);
    expect(h.results).toEqual([['id-3', 'delivered']]);
    expect(h.deliverer.stats().queueDepth).toEqual({ slow: 1, fast: 0 });
  });

  it('delivers intents left pending by a previous run after start()', async () => {
    const { rx, url } = await receiver(status(200));
    const first = await Outbox.open(join(dir, 'state'));
    await first.add(intent(1));
    await first.add(intent(2));
    await first.recordAttempt('id-2', 3, { kind: 'retry', status: 500 });
    await first.close();

    const h = await harness([target(url)], {}, await Outbox.open(join(dir, 'state')));
    expect(h.outbox.recovered).toBe(2);
    h.deliverer.start();
    await h.settled(2);
    expect(h.results.sort()).toEqual([
      ['id-1', 'delivered'],
      ['id-2', 'delivered'],
    ]);
    expect(rx.requests.map((r) => r.headers['idempotency-key']).sort()).toEqual(['kafka/quorum_lost/1', 'kafka/quorum_lost/2']);
    // Attempt numbering continues from the journal.
    expect(h.audit.find((e) => e.intentId === 'id-2' && e.type === 'attempt')?.attempt).toBe(4);
  });

  it('dead-letters a recovered intent whose hook is no longer configured', async () => {
    const { url } = await receiver(status(200));
    const first = await Outbox.open(join(dir, 'state'));
    await first.add(intent(1, 'removed'));
    await first.close();
    const h = await harness([target(url)], {}, await Outbox.open(join(dir, 'state')));
    h.deliverer.start();
    await h.settled(1);
    expect(h.results).toEqual([['id-1', 'dead_lettered']]);
    expect(h.audit.at(-1)).toMatchObject({ result: 'dead_lettered', detail: 'hook removed is not configured' });
  });

  it('stop() waits for the request in flight and leaves the retry pending in the outbox', async () => {
    const { rx, url } = await receiver((_req, _n, res) => {
      setTimeout(() => {
        res.writeHead(503);
        res.end();
      }, 100);
    });
    const h = await harness([target(url)], { sleep: undefined });
    await h.deliverer.submit(intent(1));
    // Stop once the request is in flight: the receiver has it and answers 100 ms later.
    await waitFor('the request to reach the receiver', () => Promise.resolve(rx.requests.length > 0 || undefined), 5_000, 5);
    await h.deliverer.stop();
    expect(h.outbox.attempts('id-1')).toBe(1);
    expect(h.outbox.pending().map((i) => i.id)).toEqual(['id-1']);
    expect(h.results).toEqual([]);
    await expect(h.deliverer.submit(intent(2))).rejects.toThrow('deliverer is stopped');
  });

  it('sends nothing in dry-run and records a dry_run result', async () => {
    const { rx, url } = await receiver(status(200));
    const h = await harness([target(url)], { dryRun: true });
    expect(await h.deliverer.submit(intent(1))).toBe(true);
    // submit() resolves once the dry_run result is recorded.
    expect(h.results).toEqual([['id-1', 'dry_run']]);
    h.deliverer.start();
    // start() must not send the intent either. A request, had one been started, would reach this
    // loopback receiver within a few milliseconds; 50 ms covers that many times over.
    await holdsFor(50, () => expect(rx.requests).toHaveLength(0), 10);
    expect(h.audit.map((e) => [e.type, e.result])).toEqual([
      ['intent', undefined],
      ['result', 'dry_run'],
    ]);
    expect(h.outbox.pending()).toEqual([]);
  });

  it('posts the rendered template when the hook has one', async () => {
    const { rx, url } = await receiver(status(200));
    const h = await harness([target(url, { template: '{"text": "{{event}} on {{ensemble}}", "quorum": {{quorum}}}' })]);
    await h.deliverer.submit(intent(1));
    await h.settled(1);
    expect(rx.requests[0]!.body).toBe('{"text": "quorum_lost on kafka", "quorum": "lost"}');
    expect(verifySignature(rx.requests[0]!.headers['x-zk-signature'] as string, rx.requests[0]!.body, ['s3cret-new'], NOW / 1000)).toEqual({
      ok: true,
    });
  });

  it('refuses an intent for an unknown hook before persisting it', async () => {
    const h = await harness([target('http://127.0.0.1:1/')]);
    await expect(h.deliverer.submit(intent(1, 'nope'))).rejects.toThrow('unknown hook nope');
    expect(h.outbox.pending()).toEqual([]);
  });

  const unsafeKeys: Array<[string, string]> = [
    ['CR/LF', 'pager/alert/ab\r\nX-Injected: 1/2025-03-01T10:00:00.000Z/firing'],
    ['non-Latin-1 characters', 'pager/alert/指纹/2025-03-01T10:00:00.000Z/firing'],
  ];
  for (const [name, key] of unsafeKeys) {
    it(`sends a key with ${name} as sha256:<hex> in Idempotency-Key and webhook-id, and readable in the body`, async () => {
      const { rx, url } = await receiver(status(204));
      const h = await harness([target(url)]);
      const base = intent(1);
      await h.deliverer.submit({ ...base, idempotencyKey: key, payload: { ...base.payload, idempotencyKey: key } });
      await h.settled(1);

      expect(h.results).toEqual([['id-1', 'delivered']]);
      expect(rx.requests).toHaveLength(1);
      const [req] = rx.requests;
      const hashed = `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
      expect(req!.headers['idempotency-key']).toBe(hashed);
      expect(req!.headers['webhook-id']).toBe(hashed);
      expect(req!.headers['x-injected']).toBeUndefined();
      expect((JSON.parse(req!.body) as { idempotencyKey: string }).idempotencyKey).toBe(key);
      expect(h.audit.at(-1)).toMatchObject({ type: 'result', result: 'delivered', idempotencyKey: key });
      expect(h.outbox.hasDone('pager', key)).toBe(true);
    });
  }

  it('dead-letters at once, with the reason, an intent whose configured header value cannot be sent', async () => {
    const { rx, url } = await receiver(status(204));
    const h = await harness([target(url, { headers: { 'X-Tenant': 'a\r\nb' } })]);
    await h.deliverer.submit(intent(1));
    await h.settled(1);

    expect(h.results).toEqual([['id-1', 'dead_lettered']]);
    expect(rx.requests).toHaveLength(0);
    expect(h.sleeps).toEqual([]);
    expect(h.audit.map((e) => e.type)).toEqual(['intent', 'result']);
    expect(h.audit.at(-1)).toEqual({
      at: NOW,
      type: 'result',
      intentId: 'id-1',
      hook: 'pager',
      event: 'quorum_lost',
      ensemble: 'kafka',
      idempotencyKey: 'kafka/quorum_lost/1',
      result: 'dead_lettered',
      detail: 'request cannot be sent: header X-Tenant has an invalid value',
    });
    expect(h.outbox.pending()).toEqual([]);
    expect(h.deliverer.stats().deadLetters).toBe(1);
    // The harness sleeps 1 ms between attempts, so a retry would land well inside 100 ms.
    await holdsFor(
      100,
      () => {
        expect(rx.requests).toHaveLength(0);
        expect(h.results).toHaveLength(1);
      },
      10,
    );
  });

  it('reports the age of the oldest pending intent', async () => {
    const held: ServerResponse[] = [];
    const { url } = await receiver((_req, _n, res) => held.push(res));
    const h = await harness([target(url)]);
    expect(h.deliverer.stats().oldestPendingAgeMs).toBeUndefined();
    await h.deliverer.submit(intent(1, 'pager', NOW - 1_500));
    expect(h.deliverer.stats().oldestPendingAgeMs).toBe(1_500);
  });
});
