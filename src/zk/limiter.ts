/** Runs async tasks with at most `max` in flight; waiting tasks start in submission (FIFO) order. */
export interface Limiter {
  /** Runs `task` once a slot is free; settles exactly as the task does. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks currently running. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly queued: number;
}

/** Creates a FIFO limiter allowing at most `max` (a positive integer) concurrent tasks. */
export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`limiter max must be a positive integer, got ${max}`);
  }
  // Array + head index: O(1) dequeue without shift() re-indexing a long queue on every start.
  let waiting: Array<(() => void) | undefined> = [];
  let head = 0;
  let active = 0;

  const startNext = (): void => {
    while (active < max && head < waiting.length) {
      const start = waiting[head];
      waiting[head] = undefined;
      head++;
      if (head > 1024 && head * 2 > waiting.length) {
        waiting = waiting.slice(head);
        head = 0;
      }
      start?.();
    }
  };

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push(() => {
          active++;
          let result: Promise<T>;
          try {
            result = Promise.resolve(task());
          } catch (err) {
            // A task that throws synchronously still releases its slot.
            result = Promise.reject(err);
          }
          result.then(
            (value) => {
              active--;
              startNext();
              resolve(value);
            },
            (err: unknown) => {
              active--;
              startNext();
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
      return waiting.length - head;
    },
  };
}
