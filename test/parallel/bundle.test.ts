// Issue 18: bundled with esbuild, `threads: 2` hung for ever at 0 % CPU (the worker entry was
// not found, the worker's 'error' was ignored, the wait had no bound). The documented recipe —
// the app and the worker entry (`scichain/worker`) as two entry points into one folder, the
// worker named worker-entry.js — must run threaded to the one-thread result; the same bundle
// without the worker file must fail at once with an error naming the missing file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const out = mkdtempSync(join(tmpdir(), 'scichain-bundle-'));

function run(): {
  threads?: number;
  value?: number;
  one?: number;
  gradDiff?: number;
  error?: string;
  code?: string;
  ms: number;
  wall: number;
} {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(out, 'app.js'), '2'], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: out,
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`the bundle failed (${r.status}, ${r.signal}): ${r.stderr}`);
  return { ...JSON.parse(r.stdout.trim().split('\n').at(-1)!), wall };
}

describe('an esbuild bundle (platform node, the two-entry recipe)', () => {
  beforeAll(async () => {
    await build({
      entryPoints: {
        app: fileURLToPath(new URL('./fixture-bundle-app.ts', import.meta.url)),
        'worker-entry': fileURLToPath(
          new URL('../../src/parallel/worker-entry.ts', import.meta.url),
        ),
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outdir: out,
      logLevel: 'error',
    });
    // The bundle runs where nothing of the repository is: no tsx, no sources, no node_modules.
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('runs on two threads to the one-thread result', { timeout: 60_000 }, () => {
    const r = run();
    expect(r.error).toBeUndefined();
    expect(r.threads).toBe(2);
    expect(r.value).toBeCloseTo(r.one!, 14);
    expect(r.value).toBeGreaterThan(0.1);
    expect(r.gradDiff).toBeLessThan(1e-14);
  });

  test('without the worker file it fails at once, naming it', { timeout: 60_000 }, () => {
    renameSync(join(out, 'worker-entry.js'), join(out, 'elsewhere.js'));
    const r = run();
    expect(r.code).toBe('WorkerFailed');
    expect(r.error).toMatch(
      /^worker 1 failed to load its entry file:\/\/.*\/worker-entry\.js: Error: Cannot find module '.*worker-entry\.js'/,
    );
    // Well within the default boot bound (10 s): the boot script reports the failed import.
    expect(r.ms).toBeLessThan(3000);
  });
});
