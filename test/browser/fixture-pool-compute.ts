/**
 * The dedicated Web Worker of the pool's browser fault tests (it owns the pools, as an app's
 * computation worker would: a page's main thread may not block in Atomics.wait). Runs every
 * scenario in turn and posts one object: per scenario what it returned or the error it failed
 * with (message and code), and how long it took (ms).
 */
import { ScichainError } from '../../src/core/errors.ts';
import { threadSupport } from '../../src/parallel/host.ts';
import { ThreadPool, prepareThreads, resolveThreads } from '../../src/parallel/thread-pool.ts';
import { chain, dense, meanSquaredError, supervisedObjective } from '../../src/index.ts';

type Outcome = { value?: unknown; error?: string; code?: string; ms: number };

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  crossOriginIsolated?: boolean;
};
const task = { url: 'scichain:faults', export: 'faultTask' };
const here = (name: string): URL => new URL(name, import.meta.url);
const values = (): Float64Array => new Float64Array(new SharedArrayBuffer(16));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function outcome(fn: () => unknown): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, ms: performance.now() - t0 };
  } catch (error) {
    return {
      error: error instanceof Error ? error.message : String(error),
      code: error instanceof ScichainError ? error.code : undefined,
      ms: performance.now() - t0,
    };
  }
}

/** A pool of two threads on the test's entry, booted. */
async function bootedPool(options: { roundTimeoutMs?: number } = {}): Promise<ThreadPool> {
  const pool = new ThreadPool({ threads: 2, maxThreads: 2, ...options });
  await pool.ready();
  return pool;
}

/**
 * Does a worker created by this thread start while this thread blocks? A probe worker answers
 * its first message by setting a shared word; this thread waits for it in Atomics.wait (1.5 s),
 * then again after returning to its event loop. Then, with the probe running, whether a message
 * posted by a blocked thread reaches it.
 */
async function nestedStart(): Promise<unknown> {
  const word = new Int32Array(new SharedArrayBuffer(8));
  const Worker = (
    globalThis as unknown as {
      Worker: new (u: URL, o: unknown) => { postMessage(m: unknown): void; terminate(): void };
    }
  ).Worker;
  const probe = new Worker(here('./probe.js'), { type: 'module' });
  probe.postMessage({ word, at: 0 });
  const t0 = performance.now();
  const whileBlocked = Atomics.wait(word, 0, 0, 1500);
  const blockedMs = performance.now() - t0;
  let afterYieldMs = NaN;
  if (whileBlocked === 'timed-out') {
    const t1 = performance.now();
    while (Atomics.load(word, 0) === 0 && performance.now() - t1 < 5000) await sleep(1);
    afterYieldMs = performance.now() - t1;
  }
  // Started: a message posted now, while this thread blocks, reaches it?
  probe.postMessage({ word, at: 1 });
  const t2 = performance.now();
  const messageWhileBlocked = Atomics.wait(word, 1, 0, 1500);
  const messageMs = performance.now() - t2;
  probe.terminate();
  return { whileBlocked, blockedMs, afterYieldMs, messageWhileBlocked, messageMs };
}

async function main(): Promise<Record<string, Outcome>> {
  const r: Record<string, Outcome> = {};
  r.support = await outcome(() => ({ ...threadSupport(), auto: resolveThreads('auto') }));
  if (!threadSupport().workers) {
    r.explicit = await outcome(() => new ThreadPool({ threads: 2, maxThreads: 2 }));
    return r;
  }
  r.nestedStart = await outcome(nestedStart);

  // Without ready(): a clear error at once, not a wait for workers that cannot start.
  const early = new ThreadPool({ threads: 2, maxThreads: 2 });
  r.withoutReady = await outcome(() => early.register(task, { values: values() }));
  early.close();

  // A working pool: boot, a round, the cost of a round.
  const pool = new ThreadPool({ threads: 2, maxThreads: 2 });
  r.boot = await outcome(() => pool.ready());
  const v = values();
  r.round = await outcome(() => {
    const id = pool.register(task, { values: v });
    pool.run(id, 1, () => (v[0] = -1));
    const rounds = 2000;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) pool.run(id, 0, () => {});
    return {
      values: Array.from(v),
      microsecondsPerRound: ((performance.now() - t0) * 1000) / rounds,
    };
  });
  pool.close();

  // The library's own task (scichain:data-parallel-task) through the shared pool, started by
  // prepareThreads: a network's loss and gradient on two threads against one.
  r.objective = await outcome(async () => {
    const threads = await prepareThreads(2);
    const x = new Float64Array(64 * 3).map((_, i) => Math.sin(i));
    const y = new Float64Array(64 * 2).map((_, i) => Math.cos(i));
    const evaluate = (t: number) => {
      const model = chain(3, dense(8, 'tanh'), dense(2));
      const o = supervisedObjective({ model, loss: meanSquaredError, x, y, threads: t });
      const theta = o.arena!.floats('float64', model.paramCount);
      const grad = o.arena!.floats('float64', model.paramCount);
      for (let i = 0; i < theta.length; i++) theta[i] = 0.1 * Math.sin(i + 1);
      const value = o.valueAndGradient(theta, grad);
      const result = { value, grad: Array.from(grad), threads: o.threads };
      o.dispose();
      return result;
    };
    const two = evaluate(2);
    const one = evaluate(1);
    const gradDiff = Math.max(...two.grad.map((g, i) => Math.abs(g - one.grad[i])));
    return { prepared: threads, threads: two.threads, value: two.value, one: one.value, gradDiff };
  });

  // Boot failures, through ready() (the calling thread's event loop runs while it waits).
  for (const [name, file] of [
    ['missing', './missing-entry.js'],
    ['throwsAtBoot', './throwing-entry.js'],
    ['syntaxError', './syntax-entry.js'],
  ] as const) {
    const bad = new ThreadPool({
      threads: 2,
      maxThreads: 2,
      workerUrl: here(file),
      bootTimeoutMs: 5000,
    });
    r[name] = await outcome(() => bad.ready());
    r[`${name}Later`] = await outcome(() => bad.register(task, {}));
    bad.close();
  }
  const silent = new ThreadPool({
    threads: 2,
    maxThreads: 2,
    workerUrl: here('./silent-entry.js'),
    bootTimeoutMs: 700,
  });
  r.silent = await outcome(() => silent.ready());
  silent.close();

  // Stopped mid-task: the worker closes itself; a task that never returns meets its deadline;
  // a timer's throw after the task returned.
  for (const [name, op, deadline] of [
    ['closedMidTask', 3, 5_000],
    ['deadline', 2, 400],
  ] as const) {
    const p = await bootedPool();
    const id = p.register(task, { values: values() });
    r[name] = await outcome(() => p.run(id, op, () => {}, deadline));
    r[`${name}Later`] = await outcome(() => p.run(id, 1, () => {}));
    p.close();
  }
  const p = await bootedPool();
  const id = p.register(task, { values: values() });
  p.run(id, 4, () => {});
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // blocked: no events here
  r.timerThrow = await outcome(() => p.run(id, 1, () => {}));
  p.close();
  return r;
}

main().then(
  (results) => scope.postMessage({ results }),
  (error: unknown) => scope.postMessage({ fatal: String((error as Error)?.stack ?? error) }),
);
