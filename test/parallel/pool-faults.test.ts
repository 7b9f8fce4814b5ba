// Issue 18, item 5: threads never hang. A worker whose entry is missing, throws while loading,
// never answers the boot handshake, or that is stopped mid-task fails the waiting call within
// its bound, with a WorkerFailed naming the worker and the cause; the pool then says it is
// unusable and the shared pool is replaced. Every elapsed time is measured and bounded here;
// vitest's timeouts are only a backstop.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ScichainError } from '../../src/core/errors.ts';
import { threadSupport } from '../../src/parallel/host.ts';
import {
  ThreadPool,
  prepareThreads,
  resolveThreads,
  sharedThreadPool,
} from '../../src/parallel/thread-pool.ts';

const misbehaving = {
  url: new URL('./fixture-misbehaving-task.ts', import.meta.url).href,
  export: 'misbehavingTask',
};
const fill = { url: new URL('./fixture-task.ts', import.meta.url).href, export: 'fillTask' };
const fixture = (name: string): string => new URL(name, import.meta.url).href;

/** The ScichainError `fn` throws, and how long it took (ms). */
function timed(fn: () => unknown): { error: ScichainError; ms: number } {
  const t0 = performance.now();
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScichainError);
    return { error: error as ScichainError, ms: performance.now() - t0 };
  }
  throw new Error('expected a ScichainError');
}

/** The same for a promise. */
async function timedAsync(
  fn: () => Promise<unknown>,
): Promise<{ error: ScichainError; ms: number }> {
  const t0 = performance.now();
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScichainError);
    return { error: error as ScichainError, ms: performance.now() - t0 };
  }
  throw new Error('expected a ScichainError');
}

const values = (): Float64Array => new Float64Array(new SharedArrayBuffer(24));

describe('a worker that fails to boot fails the call within the bound', () => {
  test(
    'a missing entry: at once, naming the worker, the entry and the cause',
    { timeout: 30_000 },
    () => {
      const entry = fixture('./no-such-entry.mjs');
      const pool = new ThreadPool({ threads: 2, workerUrl: entry, bootTimeoutMs: 8000 });
      try {
        const { error, ms } = timed(() => pool.register(fill, { values: values() }));
        expect(error.code).toBe('WorkerFailed');
        expect(error.message).toMatch(
          /^worker 1 failed to load its entry file:\/\/.*\/no-such-entry\.mjs: Error: Cannot find module .*no-such-entry\.mjs/,
        );
        // Reported by the worker's boot script, not by the 8 s bound.
        expect(ms).toBeLessThan(3000);
        expect(pool.usable).toBe(false);
        // Later calls fail the same way at once.
        expect(timed(() => pool.register(fill, {})).error.message).toBe(error.message);
      } finally {
        pool.close();
      }
    },
  );

  test('an entry that throws while it loads', { timeout: 30_000 }, () => {
    const pool = new ThreadPool({
      threads: 2,
      workerUrl: fixture('./fixture-entry-throws.mjs'),
      bootTimeoutMs: 8000,
    });
    try {
      const { error, ms } = timed(() => pool.register(fill, { values: values() }));
      expect(error.message).toMatch(
        /^worker 1 failed to load its entry .*fixture-entry-throws\.mjs: Error: broken entry: thrown while loading; the pool is unusable/,
      );
      expect(ms).toBeLessThan(3000);
    } finally {
      pool.close();
    }
  });

  test('an entry with a syntax error', { timeout: 30_000 }, () => {
    // Written here: a file with a syntax error in the repository would stop the linters.
    const folder = mkdtempSync(join(tmpdir(), 'scichain-entry-'));
    const entry = pathToFileURL(join(folder, 'worker-entry.mjs')).href;
    writeFileSync(join(folder, 'worker-entry.mjs'), 'export const = ;\n');
    const pool = new ThreadPool({ threads: 2, workerUrl: entry, bootTimeoutMs: 8000 });
    try {
      const { error, ms } = timed(() => pool.register(fill, {}));
      expect(error.message).toBe(
        `worker 1 failed to load its entry ${entry}: SyntaxError: Unexpected token '='; ` +
          'the pool is unusable: close it and make a new one',
      );
      expect(ms).toBeLessThan(3000);
    } finally {
      pool.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('an entry that loads and ends without answering the handshake', { timeout: 30_000 }, () => {
    const entry = fixture('./fixture-entry-exits.mjs');
    const pool = new ThreadPool({ threads: 2, workerUrl: entry, bootTimeoutMs: 8000 });
    try {
      const { error, ms } = timed(() => pool.register(fill, {}));
      expect(error.message).toBe(
        `worker 1 exited with code 0 before answering the boot handshake (is ${entry} a ` +
          'scichain worker entry?); the pool is unusable: close it and make a new one',
      );
      expect(ms).toBeLessThan(3000);
    } finally {
      pool.close();
    }
  });

  test('an entry that never answers: stopped after bootTimeoutMs', { timeout: 30_000 }, () => {
    const entry = fixture('./fixture-entry-silent.mjs');
    const pool = new ThreadPool({ threads: 2, workerUrl: entry, bootTimeoutMs: 600 });
    try {
      const { error, ms } = timed(() => pool.register(fill, {}));
      expect(error.message).toBe(
        `worker 1 did not start within 600 ms (its entry ${entry} was not loaded, or failed ` +
          'before answering: missing, a 404, an error while it loads); it was stopped; the pool ' +
          'is unusable: close it and make a new one',
      );
      expect(ms).toBeGreaterThanOrEqual(590);
      expect(ms).toBeLessThan(600 + 1000);
      expect(pool.liveWorkers).toBe(0);
    } finally {
      pool.close();
    }
  });

  test('ready() rejects the same way without blocking', { timeout: 30_000 }, async () => {
    const silent = new ThreadPool({
      threads: 2,
      workerUrl: fixture('./fixture-entry-silent.mjs'),
      bootTimeoutMs: 500,
    });
    const missing = new ThreadPool({ threads: 2, workerUrl: fixture('./gone.mjs') });
    try {
      // The event loop keeps running while ready() waits: a timer set now fires meanwhile.
      let ticks = 0;
      const timer = setInterval(() => ticks++, 20);
      const late = await timedAsync(() => silent.ready());
      clearInterval(timer);
      expect(late.error.message).toMatch(/^worker 1 did not start within 500 ms/);
      expect(late.ms).toBeGreaterThanOrEqual(490);
      expect(late.ms).toBeLessThan(1500);
      expect(ticks).toBeGreaterThan(5);
      const gone = await timedAsync(() => missing.ready());
      expect(gone.error.message).toMatch(
        /^worker 1 failed to load its entry .*gone\.mjs: Error: Cannot find module/,
      );
      expect(gone.ms).toBeLessThan(3000);
    } finally {
      silent.close();
      missing.close();
    }
  });
});

describe('a worker stopped mid-task fails the call within the bound', () => {
  test(
    'a task that never returns is stopped at the call deadline',
    { timeout: 30_000 },
    async () => {
      const pool = new ThreadPool({ threads: 2 });
      try {
        await pool.ready();
        const v = values();
        const id = pool.register(misbehaving, { values: v });
        pool.run(id, 1, () => {}, 200); // a deadline the round meets
        expect(v[1]).toBe(1);
        const { error, ms } = timed(() => pool.run(id, 2, () => {}, 400));
        expect(error.code).toBe('WorkerFailed');
        expect(error.message).toMatch(
          /^worker 1 did not finish operation 2 of task \d+ within 400 ms; it was stopped; the pool is unusable/,
        );
        expect(ms).toBeGreaterThanOrEqual(390);
        expect(ms).toBeLessThan(400 + 1000);
        expect(pool.liveWorkers).toBe(0);
        expect(timed(() => pool.run(id, 1, () => {})).error.message).toBe(error.message);
      } finally {
        pool.close();
      }
    },
  );

  test(
    'a worker that exits mid-task (process.exit) ends the round at once',
    { timeout: 30_000 },
    () => {
      const pool = sharedThreadPool(2);
      const id = pool.register(misbehaving, { values: values() });
      // The deadline bounds the test should the exit report ever fail (a blocked thread cannot time out).
      const { error, ms } = timed(() => pool.run(id, 3, () => {}, 5_000));
      expect(error.message).toMatch(
        /^worker 1 exited with code 3 \(task \d+, operation 3\); the pool is unusable/,
      );
      expect(ms).toBeLessThan(2000);
      // The shared pool is replaced by a working one.
      const fresh = sharedThreadPool(2);
      expect(fresh).not.toBe(pool);
      const v = values();
      fresh.run(fresh.register(fill, { values: v }), 2, () => {});
      expect(v[1]).toBe(2001.5);
    },
  );

  test('deadlines and boot bounds are checked', () => {
    const pool = new ThreadPool({ threads: 1 });
    const id = pool.register(fill, {});
    expect(() => pool.run(id, 1, () => {}, -5)).toThrow(
      /deadlineMs must be a positive number of ms, got -5/,
    );
    expect(() => new ThreadPool({ threads: 2, bootTimeoutMs: 0 })).toThrow(
      /bootTimeoutMs must be a positive number of ms, got 0/,
    );
    expect(() => new ThreadPool({ threads: 2, workerUrl: 'http://[bad' })).toThrow(
      /workerUrl: http:\/\/\[bad is not a valid URL/,
    );
  });
});

describe('threads in Node', () => {
  test("workers are available; 'auto' takes the cores; prepareThreads starts the shared pool", async () => {
    const support = threadSupport();
    expect(support).toEqual({ workers: true, reason: null, cores: support.cores });
    expect(resolveThreads('auto')).toBe(support.cores);
    expect(await prepareThreads(1)).toBe(1);
    if (support.cores >= 2) {
      expect(await prepareThreads(2)).toBe(2);
      expect(sharedThreadPool(2).liveWorkers).toBe(1);
    }
  });
});
