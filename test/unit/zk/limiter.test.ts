import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../src/zk/limiter.js';

/** A promise with its resolve/reject exposed, to control when a task finishes. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createLimiter', () => {
  it('never runs more than max tasks at once', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          expect(limiter.active).toBeLessThanOrEqual(3);
          await sleep(i % 4);
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('starts waiting tasks in submission order', async () => {
    const limiter = createLimiter(2);
    const gates = Array.from({ length: 8 }, () => deferred());
    const started: number[] = [];
    const all = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    // A task starts synchronously within run() when a slot is free.
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(2);
    expect(limiter.queued).toBe(6);
    // Finish out of order: the freed slot still goes to the oldest waiting task.
    // The slot is released (and the next task started) before a task's own promise settles.
    gates[1]!.resolve();
    await all[1];
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    await all[0];
    expect(started).toEqual([0, 1, 2, 3]);
    for (const gate of gates) gate.resolve();
    await Promise.all(all);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('passes rejections through and frees the slot', async () => {
    const limiter = createLimiter(1);
    const boom = new Error('boom');
    await expect(limiter.run(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(limiter.active).toBe(0);
  });

  it('frees the slot when a task throws synchronously', async () => {
    const limiter = createLimiter(1);
    const boom = new Error('sync boom');
    await expect(
      limiter.run((): Promise<never> => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(limiter.run(() => Promise.resolve(42))).resolves.toBe(42);
  });

  it('keeps FIFO order and the bound across a long queue', async () => {
    const limiter = createLimiter(4);
    const order: number[] = [];
    let peak = 0;
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        limiter.run(async () => {
          order.push(i);
          peak = Math.max(peak, limiter.active);
          await Promise.resolve();
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(peak).toBe(4);
    expect(limiter.queued).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects max = %s', (max) => {
    expect(() => createLimiter(max)).toThrow(new RangeError(`limiter max must be a positive integer, got ${max}`));
  });

  it('gives a freed slot to the next lane in turn, so a long queue in one lane cannot starve another', async () => {
    const limiter = createLimiter(2);
    const order: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    const submit = (lane: string, id: string): Promise<void> => {
      const gate = deferred();
      gates.set(id, gate);
      return limiter.run(async () => {
        order.push(id);
        await gate.promise;
      }, lane);
    };
    // "hung" fills both slots and queues 100 more before "healthy" submits its 2 tasks.
    const hung = Array.from({ length: 102 }, (_, i) => submit('hung', `h${i}`));
    const healthy = [submit('healthy', 'a0'), submit('healthy', 'a1')];
    expect(order).toEqual(['h0', 'h1']);
    expect(limiter.queued).toBe(102);
    gates.get('h0')!.resolve();
    await hung[0];
    // The first freed slot goes to the healthy lane, not to the 100 hung tasks queued before it.
    expect(order).toEqual(['h0', 'h1', 'a0']);
    gates.get('h1')!.resolve();
    await hung[1];
    // Then turns alternate between lanes that have work waiting.
    gates.get('a0')!.resolve();
    await healthy[0];
    expect(order).toEqual(['h0', 'h1', 'a0', 'h2', 'a1']);
    // Every gate exists from submission on: releasing them all lets the whole queue drain.
    for (const gate of gates.values()) gate.resolve();
    await Promise.all([...hung, ...healthy]);
    expect(limiter.active + limiter.queued).toBe(0);
    expect(order).toHaveLength(104);
  });
});

describe('createLimiter with a lane cap', () => {
  it('keeps the slots above laneMax for other lanes, so they start without waiting for the busy lane', async () => {
    const limiter = createLimiter(3, 2);
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const started: string[] = [];
    const submit = (lane: string, id: string): Promise<void> => {
      const gate = deferred();
      gates.push(gate);
      return limiter.run(async () => {
        started.push(id);
        await gate.promise;
      }, lane);
    };
    const hung = Array.from({ length: 10 }, (_, i) => submit('hung', `h${i}`));
    // Two of three slots: the third is kept.
    expect(started).toEqual(['h0', 'h1']);
    expect(limiter.active).toBe(2);
    const healthy = submit('healthy', 'a0');
    // Starts at once, with every hung task still running.
    expect(started).toEqual(['h0', 'h1', 'a0']);
    for (const gate of gates) gate.resolve();
    await Promise.all([...hung, healthy]);
    expect(limiter.active + limiter.queued).toBe(0);
    expect(started).toHaveLength(11);
  });

  it('rejects a laneMax that is not a positive integer', () => {
    expect(() => createLimiter(4, 0)).toThrow(RangeError);
  });
});
