// Issue 17, defect 8: a worker that loops for ever, calls process.exit or throws later from a
// timer must not block the calling thread: every wait is bounded and every stopped worker is a
// WorkerFailed naming it and the cause — for that round and every later one.
import { describe, expect, test } from 'vitest';
import { ScichainError, ThreadPool } from '../../src/index.ts';
import { sharedThreadPool } from '../../src/parallel/index.ts';

const fixture = new URL('./fixture-misbehaving-task.ts', import.meta.url).href;
const task = { url: fixture, export: 'misbehavingTask' };

function caught(fn: () => void): ScichainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScichainError);
    return error as ScichainError;
  }
  throw new Error('expected a ScichainError');
}

/** Blocks this thread (its event loop does not run), as a caller between two rounds may. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('a misbehaving worker ends the wait with an error naming it', () => {
  test('an endless loop is stopped after roundTimeoutMs', { timeout: 30_000 }, () => {
    const pool = new ThreadPool({ threads: 2, roundTimeoutMs: 300 });
    try {
      const values = new Float64Array(new SharedArrayBuffer(16));
      const id = pool.register(task, { values });
      pool.run(id, 1, () => {});
      const t0 = performance.now();
      const error = caught(() => pool.run(id, 2, () => {}));
      const elapsed = performance.now() - t0;
      expect(error.code).toBe('WorkerFailed');
      expect(error.message).toMatch(
        /^worker 1 did not finish operation 2 of task \d+ within 300 ms; it was stopped/,
      );
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(3000);
      // Every later round fails the same way, at once.
      const t1 = performance.now();
      expect(caught(() => pool.run(id, 1, () => {})).message).toBe(error.message);
      expect(performance.now() - t1).toBeLessThan(50);
      expect(pool.usable).toBe(false);
      expect(pool.liveWorkers).toBe(0);
    } finally {
      pool.close();
    }
  });

  test(
    'process.exit(3) in a task fails the round naming the worker and the code',
    {
      timeout: 30_000,
    },
    () => {
      const pool = new ThreadPool({ threads: 2 }); // no round bound: the exit alone must end it
      try {
        const values = new Float64Array(new SharedArrayBuffer(16));
        const id = pool.register(task, { values });
        const t0 = performance.now();
        const error = caught(() => pool.run(id, 3, () => {}));
        expect(performance.now() - t0).toBeLessThan(2000);
        expect(error.code).toBe('WorkerFailed');
        expect(error.message).toMatch(/^worker 1 exited with code 3 \(task \d+, operation 3\)/);
        expect(caught(() => pool.run(id, 1, () => {})).message).toBe(error.message);
        expect(caught(() => pool.register(task, { values })).message).toBe(error.message);
      } finally {
        pool.close();
      }
    },
  );

  test(
    'a throw from a timer after the task returned is reported by the next round',
    {
      timeout: 30_000,
    },
    () => {
      const pool = new ThreadPool({ threads: 2 });
      try {
        const values = new Float64Array(new SharedArrayBuffer(16));
        const id = pool.register(task, { values });
        pool.run(id, 4, () => {}); // returns; its timer throws 5 ms later
        expect(values[1]).toBe(4);
        blockFor(200); // the calling thread's event loop never sees the Worker's events
        const t0 = performance.now();
        const error = caught(() => pool.run(id, 1, () => {}));
        expect(performance.now() - t0).toBeLessThan(100);
        expect(error.code).toBe('WorkerFailed');
        expect(error.message).toMatch(
          /^worker 1 exited with code 1 after an uncaught Error: late failure on worker 1 \(task \d+, operation 1\)/,
        );
      } finally {
        pool.close();
      }
    },
  );

  test(
    'rounds issued while the timer fires end with the error, not a hang',
    {
      timeout: 30_000,
    },
    () => {
      const pool = new ThreadPool({ threads: 2 });
      try {
        const values = new Float64Array(new SharedArrayBuffer(16));
        const id = pool.register(task, { values });
        pool.run(id, 4, () => {});
        const t0 = performance.now();
        let error: ScichainError | null = null;
        while (error === null && performance.now() - t0 < 5000) {
          try {
            pool.run(id, 1, () => {});
          } catch (e) {
            error = e as ScichainError;
          }
        }
        expect(error).toBeInstanceOf(ScichainError);
        expect(error!.message).toMatch(
          /^worker 1 exited with code 1 after an uncaught Error: late/,
        );
        expect(performance.now() - t0).toBeLessThan(2000);
      } finally {
        pool.close();
      }
    },
  );

  test(
    'a factory that never returns fails the registration after registrationTimeoutMs',
    {
      timeout: 30_000,
    },
    () => {
      const pool = new ThreadPool({ threads: 2, registrationTimeoutMs: 5000 });
      try {
        // Boot first (a cold worker may take seconds to load the TypeScript sources).
        pool.register(task, { values: new Float64Array(new SharedArrayBuffer(16)) });
        const t0 = performance.now();
        const error = caught(() => pool.register({ url: fixture, export: 'stuckFactory' }, {}));
        expect(performance.now() - t0).toBeLessThan(8000);
        expect(error.code).toBe('WorkerFailed');
        expect(error.message).toMatch(
          /^worker 1 did not register stuckFactory from .*fixture-misbehaving-task\.ts within 5000 ms; it was stopped/,
        );
      } finally {
        pool.close();
      }
    },
  );

  test('the shared pool is replaced once a worker of it has stopped', { timeout: 30_000 }, () => {
    const broken = sharedThreadPool(2);
    const values = new Float64Array(new SharedArrayBuffer(16));
    const id = broken.register(task, { values });
    expect(() => broken.run(id, 3, () => {})).toThrow(/^worker 1 exited with code 3/);
    const fresh = sharedThreadPool(2);
    expect(fresh).not.toBe(broken);
    expect(fresh.usable).toBe(true);
    fresh.run(fresh.register(task, { values }), 1, () => {});
    expect(values[1]).toBe(1);
    // The broken pool keeps its own error, not 'closed'.
    expect(() => broken.run(id, 1, () => {})).toThrow(/^worker 1 exited with code 3/);
  });

  test('bounds must be positive', () => {
    expect(() => new ThreadPool({ threads: 2, roundTimeoutMs: 0 })).toThrow(
      /roundTimeoutMs must be a positive number of ms, got 0/,
    );
    expect(() => new ThreadPool({ threads: 2, registrationTimeoutMs: NaN })).toThrow(
      /registrationTimeoutMs must be a positive number of ms, got NaN/,
    );
  });
});
