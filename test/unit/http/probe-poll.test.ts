import { describe, expect, it } from 'vitest';
import { ProbePoller } from '../../../src/http/probe-poll.js';
import { createLimiter, type Limiter } from '../../../src/zk/limiter.js';
import { freePort } from '../../harness/ports.js';

/** The shared limiter, recording the most tasks it ran at once. */
function recordingLimiter(max: number): Limiter & { peak: number } {
  const inner = createLimiter(max);
  const recorder = {
    peak: 0,
    run<T>(task: () => Promise<T>): Promise<T> {
      return inner.run(() => {
        recorder.peak = Math.max(recorder.peak, inner.active);
        return task();
      });
    },
    get active() {
      return inner.active;
    },
    get queued() {
      return inner.queued;
    },
  };
  return recorder;
}

describe('ProbePoller', () => {
  it('polls through the shared limiter, taking at most half of its slots', async () => {
    const limiter = recordingLimiter(4);
    const poller = new ProbePoller({ limiter, timeoutMs: 1000, maxReplyBytes: 1 << 20 }, 4);
    // Closed loopback ports: each poll is a real, quick refusal.
    const targets = await Promise.all(Array.from({ length: 6 }, async () => ({ host: '127.0.0.1', port: await freePort() })));
    const samples = await poller.poll('e', targets, Date.now() + 5000);
    expect(samples.map((s) => s.srvr.ok || s.srvr.reason)).toEqual(Array(6).fill('refused'));
    expect(limiter.peak).toBe(2);
  });

  it('does not poll a node once the deadline has passed: it is down with reason timeout', async () => {
    const limiter = recordingLimiter(4);
    let now = 1000;
    const poller = new ProbePoller({ limiter, timeoutMs: 1000, maxReplyBytes: 1 << 20, now: () => now }, 4);
    now = 2000;
    const [sample] = await poller.poll('e', [{ host: '192.0.2.1', port: 2181 }], 1999);
    expect(sample).toEqual({
      ensemble: 'e',
      server: '192.0.2.1:2181',
      polledAt: 2000,
      srvr: {
        ok: false,
        reason: 'timeout',
        detail: 'the probe deadline passed while waiting for a free poll slot',
        transport: 'fourletter',
        durationMs: 0,
      },
    });
  });
});
