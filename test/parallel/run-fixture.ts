/** Runs a fixture of this folder in a child Node process (TypeScript loader, --expose-gc). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `fixture` with `args`; returns its wall time and the last line it printed. */
export function runFixture(
  fixture: string,
  args: string[],
  timeoutMs: number,
): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL(fixture, import.meta.url)), ...args],
    { encoding: 'utf8', timeout: timeoutMs },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${fixture} failed (${r.status}, ${r.signal}): ${r.stderr}`);
  return { ms, out: r.stdout.trim().split('\n').at(-1) ?? '' };
}
