// Fuzzing parameter files and training checkpoints (issue 17): valid files mutated — a field's
// type changed, fields dropped or added (`__proto__`, `constructor`), huge, negative, NaN-like
// and fractional numbers, wrong dtype strings, deep nesting, truncated text — are read from
// disk and loaded (a checkpoint is resumed for one epoch). The property: either a
// ScichainError that names the file (and, for a bad field, its JSON path), or a loaded state
// whose θ is finite — never another exception, never NaN in θ, never a slow case.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  meanSquaredError,
  parameters,
  Rng,
  scalar,
  ScichainError,
  supervisedObjective,
  trainSupervised,
  vector,
  type MinimizePhase,
} from '../../src/index.ts';
import { loadCheckpoint } from '../../src/training/checkpoint.ts';
import { loadParameters, saveParameters } from '../../src/parameters/parameter-file.ts';
import { loadPhasesCheckpoint } from '../../src/optim/minimize-phases.ts';
import { minimizePhasesAsync } from '../../src/training/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'scichain-fuzz-'));
/** Longest time one case may take on a loaded machine. */
const CASE_MS = 2000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in a JSON tree: its parent container and key (the root has none). */
function places(root: Json): [Json[] | { [key: string]: Json }, string | number][] {
  const out: [Json[] | { [key: string]: Json }, string | number][] = [];
  const visit = (v: Json, depth = 0): void => {
    if (depth > 20) return; // inside a deep-nesting mutation: nothing new to find
    if (Array.isArray(v)) {
      // Long arrays (θ, RNG words): a few entries are enough.
      const step = Math.max(1, Math.floor(v.length / 8));
      for (let i = 0; i < v.length; i += step) {
        out.push([v, i]);
        visit(v[i], depth + 1);
      }
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        out.push([v, k]);
        visit(v[k], depth + 1);
      }
    }
  };
  visit(root);
  return out;
}

function deep(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const strange = fc.oneof(
  fc.constantFrom<Json>(
    null,
    -1,
    -5,
    0,
    0.5,
    1e39,
    -1e39,
    1e308,
    -1e308,
    5e-324,
    2 ** 53,
    2 ** 31,
    -(2 ** 31) - 1,
    625,
    '7',
    'NaN',
    'Infinity',
    '-Infinity',
    '-0',
    'float16',
    'float32',
    'float64',
    'no',
    'true',
    '',
    true,
    false,
    [],
    {},
    'identity',
    'log',
    'bounded',
    'adam',
    'mt19937',
    'scichain.training',
  ),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

type Mutation =
  | { op: 'replace'; at: number; value: Json }
  | { op: 'delete'; at: number }
  | { op: 'add'; at: number; key: string; value: Json }
  | { op: 'deep'; at: number }
  | { op: 'truncate'; fraction: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: strange }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.constantFrom('__proto__', 'constructor', 'toString', 'extra', 'version', 'm'),
    value: strange,
  }),
  fc.record({ op: fc.constant('deep' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('truncate' as const),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
);

/** The file text after applying the mutations to `doc` (a fresh copy). */
function mutate(doc: Json, mutations: Mutation[]): string {
  const root = JSON.parse(JSON.stringify(doc)) as Json;
  let truncate = 1;
  for (const m of mutations) {
    if (m.op === 'truncate') {
      truncate = Math.min(truncate, m.fraction);
      continue;
    }
    const all = places(root);
    if (all.length === 0) continue;
    const [parent, key] = all[m.at % all.length];
    const target = m.op === 'add' ? (parent as Record<string, Json>)[key as string] : parent;
    if (m.op === 'replace') (parent as Record<string | number, Json>)[key] = m.value;
    else if (m.op === 'deep') (parent as Record<string | number, Json>)[key] = deep(3000);
    else if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
    } else if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      // defineProperty: an own "__proto__" key, as JSON.parse makes one (not a prototype change).
      Object.defineProperty(target, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  const text = JSON.stringify(root);
  return truncate < 1 ? text.slice(0, Math.floor(text.length * truncate)) : text;
}

/** Runs a load; a ScichainError naming `path` is an accepted outcome (null). */
function attempt<T>(load: () => T, path: string, text: string): T | null {
  const start = performance.now();
  try {
    return load();
  } catch (e) {
    if (!(e instanceof ScichainError)) {
      throw new Error(`${String(e)} (not a ScichainError) for ${text.slice(0, 300)}`, { cause: e });
    }
    // A refused file names itself; training errors after a load name the epoch.
    if (!e.message.includes(path)) expect(e.message, text.slice(0, 300)).toMatch(/epoch \d+/);
    return null;
  } finally {
    expect(performance.now() - start, 'time of one case').toBeLessThan(CASE_MS);
  }
}

const allFinite = (a: ArrayLike<number>) => Array.from(a).every(Number.isFinite);

describe('parameter file fuzzing', () => {
  const layout = () =>
    parameters({
      ka: scalar(1.2, { transform: 'positive' }),
      f: scalar(0.6, { transform: [0, 1] }),
      w: vector(3, [1, -0.5, 2]),
      net: chain(2, dense(3, 'tanh'), dense(1)),
    });

  it('mutated files give a ScichainError naming the file, or a finite θ', () => {
    let loaded = 0;
    for (const dtype of ['float64', 'float32'] as const) {
      const L = layout();
      const base = JSON.parse(JSON.stringify(L.toJson(L.initial({ seed: 3, dtype })))) as Json;
      L.freeze('w');
      const path = join(dir, `fuzz-${dtype}.parameters.json`);
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
          const text = mutate(base, mutations);
          writeFileSync(path, text);
          const theta = attempt(() => loadParameters(path, layout()), path, text);
          if (theta !== null) {
            loaded++;
            expect(allFinite(theta), text).toBe(true);
            if (theta instanceof Float32Array)
              expect(theta.every((v) => Math.abs(v) < 3.5e38)).toBe(true);
          }
        }),
        { seed: 1717, numRuns: 400 },
      );
    }
    expect(loaded).toBeGreaterThan(20); // mutations of ignored fields still load
    // The unmutated file loads: the fuzzer starts from valid input.
    const L = layout();
    const path = join(dir, 'plain.parameters.json');
    saveParameters(path, L, L.initial({ seed: 3 }));
    expect(loadParameters(path, layout())).toEqual(L.initial({ seed: 3 }));
  });
});

describe('checkpoint fuzzing', () => {
  const rng = new Rng(4);
  const net = chain(3, dense(4, 'tanh'), dense(1));
  const L = parameters({ net });
  const obj = supervisedObjective({
    model: net,
    loss: meanSquaredError,
    x: rng.fillNormal(new Float64Array(3 * 24)),
    y: rng.fillNormal(new Float64Array(24)),
    batchSize: 8,
  });
  const val = supervisedObjective({
    model: net,
    loss: meanSquaredError,
    x: rng.fillNormal(new Float64Array(3 * 8)),
    y: rng.fillNormal(new Float64Array(8)),
  });
  const options = () => ({
    batchSize: 8,
    optimizer: adam({ learningRate: 0.01 }),
    validation: val,
    earlyStopping: { patience: 4 },
    historyLimit: 16,
    progress: false as const,
  });

  it('mutated checkpoints give a ScichainError naming the file or epoch, or finite θ', () => {
    let saved = '';
    trainSupervised(obj, L.initial({ seed: 1 }), {
      ...options(),
      epochs: 3,
      onEpoch: (info) => void (saved = JSON.stringify(info.checkpoint())),
    });
    const base = JSON.parse(saved) as Json;
    const path = join(dir, 'fuzz.ckpt.json');
    let resumed = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const text = mutate(base, mutations);
        writeFileSync(path, text);
        const theta = L.zeros();
        const r = attempt(
          () =>
            trainSupervised(obj, theta, { ...options(), epochs: 1, resume: loadCheckpoint(path) }),
          path,
          text,
        );
        if (r !== null) {
          resumed++;
          expect(allFinite(theta), text.slice(0, 300)).toBe(true);
          expect(r.history.length).toBeLessThanOrEqual(16);
        }
      }),
      { seed: 2929, numRuns: 400 },
    );
    expect(resumed).toBeGreaterThan(20);
  });
});

describe('phased-fit checkpoint fuzzing', () => {
  const quadratic = () => (t: Float64Array, g: Float64Array) => {
    let f = 0;
    for (let i = 0; i < t.length; i++) {
      const d = t[i] - i;
      f += (i + 1) * d * d + d ** 4;
      g[i] = 2 * (i + 1) * d + 4 * d ** 3;
    }
    return f;
  };
  const phases: MinimizePhase<Float64Array>[] = [
    {
      label: 'adam',
      objective: quadratic,
      method: () => adam({ learningRate: 0.1 }),
      options: { maxIterations: 6 },
    },
    {
      label: 'lbfgs',
      objective: quadratic,
      method: 'lbfgs',
      options: { maxIterations: 6, memory: 3 },
    },
  ];

  it('mutated phase checkpoints give a ScichainError naming the file, or finite θ', async () => {
    const path = join(dir, 'fuzz.phases.json');
    // Interrupted in the L-BFGS phase, so the file holds curvature pairs.
    let calls = 0;
    const interrupting = phases.map((p) => ({
      ...p,
      objective: () => {
        const f = p.objective();
        return (t: Float64Array, g: Float64Array) => {
          if (++calls === 20) process.emit('SIGINT', 'SIGINT');
          return f(t, g);
        };
      },
    }));
    const first = await minimizePhasesAsync(new Float64Array(4), interrupting, {
      checkpoint: { path },
      sliceMs: 0,
    });
    expect(first.reason).toBe('Interrupted');
    const base = JSON.parse(JSON.stringify(loadPhasesCheckpoint(path))) as Json;
    expect((base as { lbfgs: unknown }).lbfgs).not.toBeNull();
    let resumed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const text = mutate(base, mutations);
        writeFileSync(path, text);
        const theta = new Float64Array(4);
        const start = performance.now();
        try {
          const r = await minimizePhasesAsync(theta, phases, {
            resume: loadPhasesCheckpoint(path),
          });
          resumed++;
          expect(r.reason).toBe('Done');
          expect(allFinite(theta), text.slice(0, 300)).toBe(true);
        } catch (e) {
          if (!(e instanceof ScichainError))
            throw new Error(`${String(e)} (not a ScichainError) for ${text.slice(0, 300)}`, {
              cause: e,
            });
          // A refused file names itself; a θ the objective overflows at names the point.
          if (!e.message.includes(path))
            expect(e.message, text.slice(0, 300)).toMatch(/starting point|at iteration \d+/);
        }
        expect(performance.now() - start).toBeLessThan(CASE_MS);
      }),
      { seed: 4242, numRuns: 300 },
    );
    expect(resumed).toBeGreaterThan(10);
  });
});
