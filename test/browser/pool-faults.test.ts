// Issue 18, items 3 and 5, in a real browser (Debian's Chromium through playwright-core): the
// pool on Web Workers over shared memory in a cross-origin isolated page, owned by a dedicated
// Web Worker; a missing entry (404), an entry throwing at boot, one never answering, a worker
// closing itself mid-task, a task past its deadline and a timer's throw each fail the waiting
// call within its bound with an error naming the worker and the cause. A page that is not
// isolated gets one thread for 'auto' and an error for an explicit count. The page scripts are
// bundled here with esbuild and served by examples/browser/static-server.ts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startStaticServer, type StaticServer } from '../../examples/browser/static-server.ts';
import { ThreadPool } from '../../src/parallel/thread-pool.ts';

const CHROMIUM = '/usr/bin/chromium';
const root = mkdtempSync(join(tmpdir(), 'scichain-pool-faults-'));
const source = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

type Outcome = { value?: any; error?: string; code?: string; ms: number }; // eslint-disable-line @typescript-eslint/no-explicit-any

let browser: Browser | undefined;
const servers: StaticServer[] = [];

/** Loads the page from a server (isolated or not) and returns what the compute worker posted. */
async function runPage(isolated: boolean): Promise<Record<string, Outcome>> {
  const server = await startStaticServer({ root, isolated });
  servers.push(server);
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(server.url, { timeout: 15_000 });
    const posted = (await (
      await page.waitForFunction(() => (globalThis as { posted?: unknown }).posted, undefined, {
        timeout: 60_000,
      })
    ).jsonValue()) as { results?: Record<string, Outcome>; fatal?: string };
    if (posted.fatal !== undefined) throw new Error(`the compute worker failed: ${posted.fatal}`);
    expect(errors).toEqual([]);
    return posted.results!;
  } finally {
    await page.close();
  }
}

describe('the pool in Chromium', () => {
  let isolated: Record<string, Outcome>;
  let notIsolated: Record<string, Outcome>;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`);
    }
    await build({
      entryPoints: {
        compute: source('./fixture-pool-compute.ts'),
        'worker-entry': source('./fixture-pool-entry.ts'),
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outdir: root,
      logLevel: 'error',
    });
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>pool faults</title><script type="module">' +
        "const w = new Worker('./compute.js', { type: 'module' });" +
        'w.onmessage = (e) => { globalThis.posted = e.data; };' +
        "w.onerror = (e) => { globalThis.posted = { fatal: 'worker error: ' + e.message }; };" +
        '</script>',
    );
    writeFileSync(join(root, 'throwing-entry.js'), "throw new Error('broken entry at boot');\n");
    writeFileSync(join(root, 'syntax-entry.js'), 'export const = ;\n');
    writeFileSync(join(root, 'silent-entry.js'), 'setInterval(() => {}, 1000);\n');
    writeFileSync(
      join(root, 'probe.js'),
      'self.onmessage = (e) => { Atomics.store(e.data.word, e.data.at, 1); ' +
        'Atomics.notify(e.data.word, e.data.at); };\n',
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    isolated = await runPage(true);
    notIsolated = await runPage(false);
    // Figures for the report (the test log).
    console.log(JSON.stringify({ isolated, notIsolated }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a cross-origin isolated page runs two threads; a round costs microseconds', () => {
    expect(isolated.support.value).toMatchObject({ workers: true, reason: null });
    expect(isolated.support.value.auto).toBe(isolated.support.value.cores);
    expect(isolated.boot.error).toBeUndefined();
    expect(isolated.round.value.values).toEqual([-1, 1001]);
    expect(isolated.round.value.microsecondsPerRound).toBeGreaterThan(0);
    expect(isolated.round.value.microsecondsPerRound).toBeLessThan(2000);
  });

  test("the library's own task runs on the shared pool that prepareThreads started", () => {
    const r = isolated.objective.value;
    expect(isolated.objective.error).toBeUndefined();
    expect(r.prepared).toBe(2);
    expect(r.threads).toBe(2);
    // The same network, data and θ as test/parallel/fixture-bundle-app.ts gives under Node.
    expect(r.value).toBeCloseTo(0.5093422048970895, 12);
    expect(r.value).toBeCloseTo(r.one, 14);
    expect(r.gradDiff).toBeLessThan(1e-14);
  });

  test('a synchronous call before ready() is an error at once, saying what to do', () => {
    expect(isolated.withoutReady.code).toBe('InvalidState');
    expect(isolated.withoutReady.error).toMatch(
      /^worker 1 has not started yet: in a browser a worker starts only once the thread that created it returns to its event loop, .*await pool\.ready\(\)/,
    );
    expect(isolated.withoutReady.ms).toBeLessThan(100);
  });

  test('a 404 for the entry: ready() fails naming the worker, the URL and the status', () => {
    const r = isolated.missing;
    expect(r.code).toBe('WorkerFailed');
    expect(r.error).toMatch(
      /^worker 1 failed to load its entry http:\/\/127\.0\.0\.1:\d+\/missing-entry\.js: the server answered 404 Not Found; the pool is unusable/,
    );
    expect(r.ms).toBeLessThan(3000);
    expect(isolated.missingLater.error).toBe(r.error);
  });

  test('an entry throwing at boot: ready() fails naming it and the error', () => {
    const r = isolated.throwsAtBoot;
    expect(r.code).toBe('WorkerFailed');
    expect(r.error).toMatch(
      /^worker 1 failed to load its entry http:\/\/127\.0\.0\.1:\d+\/throwing-entry\.js: Uncaught Error: broken entry at boot; the pool is unusable/,
    );
    expect(r.ms).toBeLessThan(3000);
  });

  test('an entry with a syntax error: ready() fails naming it, found but not evaluated', () => {
    // Chromium's error event for a module worker that does not parse carries no message; a GET
    // of the entry tells it from a 404.
    const r = isolated.syntaxError;
    expect(r.code).toBe('WorkerFailed');
    expect(r.error).toMatch(
      /^worker 1 failed to load its entry http:\/\/127\.0\.0\.1:\d+\/syntax-entry\.js \(it was found, so it failed to evaluate: a syntax error or a failing import in it\); the pool is unusable/,
    );
    expect(r.ms).toBeLessThan(3000);
  });

  test('an entry that never answers: stopped after bootTimeoutMs', () => {
    const r = isolated.silent;
    expect(r.error).toMatch(/^worker 1 did not start within 700 ms \(its entry .*silent-entry\.js/);
    expect(r.ms).toBeGreaterThanOrEqual(690);
    expect(r.ms).toBeLessThan(700 + 1000);
  });

  test('a worker closing itself mid-task ends the round at once', () => {
    const r = isolated.closedMidTask;
    expect(r.error).toMatch(
      /^worker 1 closed itself \(self\.close\(\)\) \(task \d+, operation 3\); the pool is unusable/,
    );
    expect(r.ms).toBeLessThan(1000);
    expect(isolated.closedMidTaskLater.error).toBe(r.error);
  });

  test('a task past its deadline is stopped, naming the worker and the operation', () => {
    const r = isolated.deadline;
    expect(r.error).toMatch(
      /^worker 1 did not finish operation 2 of task \d+ within 400 ms; it was stopped/,
    );
    expect(r.ms).toBeGreaterThanOrEqual(390);
    expect(r.ms).toBeLessThan(400 + 1000);
  });

  test("a timer's throw after the task returned fails the next round", () => {
    expect(isolated.timerThrow.error).toMatch(
      /^worker 1 stopped after an uncaught error: .*late failure on worker 1 \(task \d+, operation 1\)/,
    );
    expect(isolated.timerThrow.ms).toBeLessThan(1000);
  });

  test("a page that is not isolated: 'auto' is one thread, an explicit count an error saying why", () => {
    expect(notIsolated.support.value.workers).toBe(false);
    expect(notIsolated.support.value.auto).toBe(1);
    expect(notIsolated.support.value.reason).toMatch(/not cross-origin isolated/);
    expect(notIsolated.explicit.code).toBe('Unsupported');
    expect(notIsolated.explicit.error).toMatch(
      /^threads: 2 needs worker threads over shared memory, and the page is not cross-origin isolated/,
    );
  });

  test('Node, for comparison: the cost of the same round', () => {
    const pool = new ThreadPool({ threads: 2, maxThreads: 2 });
    try {
      const values = new Float64Array(new SharedArrayBuffer(16));
      const id = pool.register(
        { url: new URL('./fixture-pool-tasks.ts', import.meta.url).href, export: 'faultTask' },
        { values },
      );
      for (let i = 0; i < 200; i++) pool.run(id, 0, () => {});
      const rounds = 2000;
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) pool.run(id, 0, () => {});
      const us = ((performance.now() - t0) * 1000) / rounds;
      console.log(
        JSON.stringify({
          nodeMicrosecondsPerRound: us,
          chromium: isolated.round.value.microsecondsPerRound,
        }),
      );
      expect(us).toBeLessThan(2000);
    } finally {
      pool.close();
    }
  });
});
