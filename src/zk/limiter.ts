/**
 * Runs async tasks with at most `max` in flight. Tasks are queued per lane (an ensemble's name); a
 * freed slot goes to the next lane in turn that has a task waiting, FIFO within a lane; a lane that
 * had nothing waiting takes the next slot. One lane with a thousand hung nodes therefore holds back
 * another lane by at most one task's duration, never by its whole queue.
 */
export interface Limiter {
  /** Runs `task` once a slot is free and its lane's turn comes; settles exactly as the task does. */
  run<T>(task: () => Promise<T>, lane?: string): Promise<T>;
  /** Tasks currently running. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly queued: number;
}

/** The lane of tasks submitted without one (e.g. `/probe`). */
const DEFAULT_LANE = '';

/** A FIFO of waiting starts: array + head index, O(1) dequeue without shift() re-indexing a long queue. */
class Fifo {
  private items: Array<(() => void) | undefined> = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: () => void): void {
    this.items.push(item);
  }

  shift(): (() => void) | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * Creates a lane-fair limiter allowing at most `max` (a positive integer) concurrent tasks, and at
 * most `laneMax` (default `max`) of one lane: slots kept from the busiest lane are there at once for
 * the others' next tasks, so their polls wait for no hung poll at all.
 */
export function createLimiter(max: number, laneMax: number = max): Limiter {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`limiter max must be a positive integer, got ${max}`);
  }
  if (!Number.isInteger(laneMax) || laneMax < 1) {
    throw new RangeError(`limiter laneMax must be a positive integer, got ${laneMax}`);
  }
  const lanes = new Map<string, Fifo>();
  const activeIn = new Map<string, number>();
  // Lanes with at least one waiting task, in turn order; a lane moves to the back after each start,
  // which is round-robin across lanes.
  const turns: string[] = [];
  let active = 0;
  let queued = 0;

  const startNext = (): void => {
    while (active < max) {
      // The first lane in turn below its own cap; lanes at their cap keep their place.
      const at = turns.findIndex((lane) => (activeIn.get(lane) ?? 0) < laneMax);
      if (at < 0) return;
      const lane = turns.splice(at, 1)[0]!;
      const fifo = lanes.get(lane)!;
      const start = fifo.shift()!;
      if (fifo.size > 0) turns.push(lane);
      else lanes.delete(lane);
      queued--;
      start();
    }
  };
  const release = (lane: string): void => {
    active--;
    const left = activeIn.get(lane)! - 1;
    if (left === 0) activeIn.delete(lane);
    else activeIn.set(lane, left);
    startNext();
  };

  return {
    run<T>(task: () => Promise<T>, lane: string = DEFAULT_LANE): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let fifo = lanes.get(lane);
        if (!fifo) {
          fifo = new Fifo();
          lanes.set(lane, fifo);
          // A lane that had nothing waiting goes first: it was owed turns while idle, and its task
          // then waits for one slot to free, never for another lane's queue.
          turns.unshift(lane);
        }
        queued++;
        fifo.push(() => {
          active++;
          activeIn.set(lane, (activeIn.get(lane) ?? 0) + 1);
          let result: Promise<T>;
          try {
            result = Promise.resolve(task());
          } catch (err) {
            // A task that throws synchronously still releases its slot.
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the task's own reason, passed on unchanged
            result = Promise.reject(err);
          }
          result.then(
            (value) => {
              release(lane);
              resolve(value);
            },
            (err: unknown) => {
              release(lane);
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the task's own reason, passed on unchanged
              reject(err);
            },
          );
        });
        startNext();
      });
    },
    get active() {
      return active;
    },
    get queued() {
      return queued;
    },
  };
}
