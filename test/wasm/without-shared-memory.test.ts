// Where SharedArrayBuffer does not exist (a browser page without cross-origin isolation) the
// library still imports and trains on one thread with the WebAssembly kernels in a non-shared
// arena: checked in a child process that deletes SharedArrayBuffer before importing anything,
// on a batch large enough that copies unaccounted for in the arena's reservation would overflow
// it. The loss then runs its TypeScript loop (the targets stay on the heap).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = `
delete globalThis.SharedArrayBuffer;
const s = await import('./src/index.ts');
const n = 100000;
const rng = new s.Rng(3);
const x = rng.fillNormal(new Float32Array(2 * n));
const y = Float32Array.from({ length: 8 * n }, (_, i) => Math.sin(x[2 * (i >> 3)] * (1 + (i & 7))));
const net = s.chain(2, s.dense(8));
const theta = s.parameters({ net }).initial({ seed: 1, dtype: 'float32' });
const grad = new Float32Array(theta.length);
const wasm = s.supervisedObjective({ model: net, loss: s.meanSquaredError, x, y, kernels: 'wasm' });
const ts = s.supervisedObjective({ model: net, loss: s.meanSquaredError, x, y, kernels: 'typescript' });
const tsGrad = new Float32Array(theta.length);
const out = {
  shared: wasm.arena.shared,
  threads: wasm.threads,
  value: wasm.valueAndGradient(theta, grad),
  tsValue: ts.valueAndGradient(theta, tsGrad),
  gradError: Math.max(...grad.map((g, i) => Math.abs(g - tsGrad[i]))) / Math.max(...tsGrad.map(Math.abs)),
};
console.log(JSON.stringify(out));
`;

describe('without SharedArrayBuffer', () => {
  it('imports, and trains on one thread in a non-shared arena', () => {
    const printed = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    const r = JSON.parse(printed.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    expect(r.shared).toBe(false);
    expect(r.threads).toBe(1);
    expect(Math.abs(r.value - r.tsValue) / r.tsValue).toBeLessThan(1e-5);
    expect(r.gradError).toBeLessThan(1e-4);
  });
});
