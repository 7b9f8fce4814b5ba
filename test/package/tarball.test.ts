// The packed tarball, as a user gets it: what it holds, and consumers of it in fresh projects —
// plain ESM under node (no tsx) training on two threads and solving an ODE, CommonJS require,
// every subpath, and a strict TypeScript project with nothing installed but scichain.
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserBundle,
  consumerProjects,
  installedPackages,
  node,
  packScichain,
  removeTree,
  repo,
  repoBin,
  type Packed,
} from '../../bench/packed-package.ts';

const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
};
/** Every import path the package offers: 'scichain', 'scichain/nn', … */
const specifiers = Object.keys(manifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'scichain' : `scichain/${key.slice(2)}`));

const ESM_SCRIPT = `
import { adam, chain, dense, meanSquaredError, odeProblem, parameters, Rng, solve,
  supervisedObjective, trainSupervised } from 'scichain';
const net = chain(2, dense(16, 'tanh'), dense(1));
const layout = parameters({ net });
const theta = layout.initial({ seed: 1 });
const n = 256;
const x = new Rng(2).fillUniform(new Float64Array(2 * n), -1, 1);
const y = new Float64Array(n).map((_, s) => x[2 * s] * x[2 * s + 1]);
const objective = supervisedObjective({ model: net, loss: meanSquaredError, x, y,
  offset: layout.offset('net'), threads: 2 });
const run = trainSupervised(objective, theta, { epochs: 300, optimizer: adam({ learningRate: 1e-2 }) });
const problem = odeProblem({ f: (du, u, p) => { du[0] = -p[0] * u[0]; }, u0: [1],
  p: new Float64Array([0.5]), tspan: [0, 2] });
const sol = solve(problem, 'Tsit5', { rtol: 1e-10, atol: 1e-12 });
console.log(JSON.stringify({ threads: objective.threads, first: run.history[0].loss,
  last: run.history.at(-1).loss, u: sol.u.at(-1), retcode: sol.retcode }));
`;

const CJS_SCRIPT = `
const required = require('scichain');
import('scichain').then((imported) => {
  const names = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort();
  const same = names(imported).every((k) => required[k] === imported[k]);
  console.log(JSON.stringify({ required: names(required), imported: names(imported), same,
    fn: typeof required.trainSupervised, rng: new required.Rng(1).uniform() }));
});
`;

/** A few names each entry point must offer at run time. */
const SAMPLE: Record<string, string[]> = {
  scichain: ['chain', 'parameters', 'adam', 'trainSupervised', 'solve', 'fitPopulation', 'Report'],
  'scichain/nn': ['chain', 'dense', 'parameters', 'Rng', 'meanSquaredError', 'Arena'],
  'scichain/training': ['adam', 'lbfgs', 'minimize', 'trainSupervised', 'EarlyStopping'],
  'scichain/solvers': ['odeProblem', 'solve', 'odeObjective', 'stateSensitivities', 'robertson'],
  'scichain/surrogates': ['chebyshev', 'fourier', 'sparseRegression'],
  'scichain/models': ['expressionModel', 'oneCompartmentOral', 'lotkaVolterraUde'],
  'scichain/pharmacometrics': [
    'readNonmemData',
    'PopulationModel',
    'fitPopulation',
    'doseSchedule',
  ],
  'scichain/report': ['Report', 'addPopulationSections'],
  'scichain/parallel': ['ThreadPool', 'availableCores', 'setWorkerUrl'],
  'scichain/node': ['saveParameters', 'loadParameters', 'readNonmemFile', 'writeReport'],
};

const SUBPATH_SCRIPT = `
const specifiers = ${JSON.stringify(specifiers)};
const names = {};
for (const s of specifiers) {
  try {
    const m = await import(s);
    names[s] = Object.keys(m).filter((k) => m[k] !== undefined).sort();
  } catch (e) {
    names[s] = String(e.message);
  }
}
console.log(JSON.stringify(names));
`;

const BUNDLED_APP = `
import { adam, chain, dense, meanSquaredError, parameters, Rng, supervisedObjective,
  trainSupervised } from 'scichain';
const net = chain(2, dense(8, 'tanh'), dense(1));
const layout = parameters({ net });
const theta = layout.initial({ seed: 3 });
const n = 128;
const x = new Rng(4).fillUniform(new Float64Array(2 * n), -1, 1);
const y = new Float64Array(n).map((_, s) => x[2 * s] + 0.5 * x[2 * s + 1]);
const objective = supervisedObjective({ model: net, loss: meanSquaredError, x, y,
  offset: layout.offset('net'), threads: 2 });
const run = trainSupervised(objective, theta, { epochs: 200, optimizer: adam({ learningRate: 1e-2 }) });
console.log(JSON.stringify({ threads: objective.threads, first: run.history[0].loss,
  last: run.history.at(-1).loss }));
`;

const TS_IMPORTS = specifiers.map((s, i) => `import * as entry${i} from '${s}';`).join('\n');
const TS_PROGRAM = `${TS_IMPORTS}
import { adam, chain, dense, parameters, supervisedObjective, trainSupervised, meanSquaredError,
  type FloatArray } from 'scichain';
export const entries = [${specifiers.map((_, i) => `entry${i}`).join(', ')}];
const net = chain(1, dense(4, 'tanh'), dense(1));
const layout = parameters({ net });
const theta: FloatArray = layout.initial({ seed: 1 });
const objective = supervisedObjective({ model: net, loss: meanSquaredError,
  x: new Float64Array([0, 1]), y: new Float64Array([0, 1]), offset: layout.offset('net') });
const run = trainSupervised(objective, theta, { epochs: 1, optimizer: adam() });
export const loss: number | undefined = run.history.at(-1)?.loss;
// @ts-expect-error: a wrong argument type is an error, so the declarations are really checked.
chain('two', dense(1));
`;
const TS_CONFIG = {
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2022',
    lib: ['ES2022'],
    skipLibCheck: false,
    noEmit: true,
    types: [],
  },
  include: ['main.ts'],
};

const NN_PAGE = `
import { chain, dense, parameters } from 'scichain/nn';
const net = chain(2, dense(16, 'tanh'), dense(1));
const layout = parameters({ net });
const theta = layout.initial({ seed: 1 });
document.body.textContent = String(net.forward(theta, 0, new Float64Array([0.1, 0.2]), null, net.workspace())[0]);
`;
const ROOT_PAGE = `
import * as scichain from 'scichain';
globalThis.scichain = scichain;
`;

let packed: Packed;
let projects: Record<string, string>;
beforeAll(async () => {
  packed = packScichain('tarball');
  const t0 = performance.now();
  projects = await consumerProjects(packed, {
    esm: { files: { 'main.mjs': ESM_SCRIPT } },
    cjs: { files: { 'main.cjs': CJS_SCRIPT }, packageJson: { type: 'commonjs' } },
    subpaths: { files: { 'main.mjs': SUBPATH_SCRIPT } },
    typescript: {
      files: { 'main.ts': TS_PROGRAM, 'tsconfig.json': JSON.stringify(TS_CONFIG, null, 2) },
    },
    bundled: { files: { 'app.js': BUNDLED_APP } },
    browser: { files: { 'nn-page.js': NN_PAGE, 'root-page.js': ROOT_PAGE } },
  });
  console.log(
    `packed (with the build) in ${packed.seconds.toFixed(1)} s; ` +
      `installed for 6 projects in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}, 300_000);
afterAll(() => removeTree(packed?.root), 60_000);

describe('the tarball', () => {
  it('holds dist/, docs, README, LICENSE and package.json only: no tests, bench, sources or configs', () => {
    const tops = [...new Set(packed.files.map((f) => f.split('/')[0]))].sort();
    expect(tops).toEqual(['LICENSE', 'README.md', 'dist', 'docs', 'package.json']);
    const forbidden = packed.files.filter(
      (f) =>
        /(^|\/)(test|tests|bench|examples|coverage)\//.test(f) ||
        /\.test\.|(^|\/)(tsconfig.*|eslint\.config\.js|vitest\.config\.ts|\.prettierrc.*)$/.test(
          f,
        ) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    expect(forbidden).toEqual([]);
    // Every entry point the exports name is in it, with its declarations.
    for (const value of Object.values(manifest.exports)) {
      if (typeof value === 'string') continue;
      const target = value as { types: string; import: string };
      expect(packed.files).toContain(target.import.slice(2));
      expect(packed.files).toContain(target.types.slice(2));
    }
    console.log(`tarball: ${packed.files.length} files`);
  });
});

describe('consumers of the tarball', () => {
  it('plain ESM under node trains a network on two threads and solves an ODE', () => {
    const dir = projects.esm;
    const out = JSON.parse(node(['main.mjs'], dir).trim().split('\n').at(-1)!) as {
      threads: number;
      first: number;
      last: number;
      u: number;
      retcode: string;
    };
    expect(out.threads).toBe(2);
    // x₁·x₂ on [−1, 1]² has variance 1/9: the first epoch is near it, training gets far below.
    expect(out.first).toBeGreaterThan(0.02);
    expect(out.last).toBeLessThan(0.005);
    expect(out.last).toBeLessThan(out.first / 10);
    expect(out.retcode).toBe('Success');
    expect(Math.abs(out.u - Math.exp(-1))).toBeLessThan(1e-8);
    // Nothing but scichain and its runtime dependencies (and theirs) was installed.
    expect(installedPackages(dir)).toContain('scichain');
    expect(installedPackages(dir)).not.toContain('tsx');
  });

  it("CommonJS require('scichain') gives the same exports as import", () => {
    const dir = projects.cjs;
    const out = JSON.parse(node(['main.cjs'], dir).trim().split('\n').at(-1)!) as {
      required: string[];
      imported: string[];
      same: boolean;
      fn: string;
      rng: number;
    };
    expect(out.required).toEqual(out.imported);
    expect(out.required.length).toBeGreaterThan(50);
    expect(out.same).toBe(true);
    expect(out.fn).toBe('function');
    expect(out.rng).toBeGreaterThanOrEqual(0);
    expect(out.rng).toBeLessThan(1);
  });

  it('every subpath imports under node with its names; scichain/worker refuses the main thread', () => {
    const dir = projects.subpaths;
    const names = JSON.parse(node(['main.mjs'], dir).trim().split('\n').at(-1)!) as Record<
      string,
      string[] | string
    >;
    expect(Object.keys(names).sort()).toEqual([...specifiers].sort());
    for (const s of specifiers) {
      // The worker entry is a program for worker threads (bundlers emit it as an entry point).
      if (s === 'scichain/worker') expect(names[s]).toMatch(/worker thread/);
      else expect(names[s], `${s}: ${String(names[s])}`).toEqual(expect.arrayContaining(SAMPLE[s]));
    }
    console.log(
      'run-time exports per entry:',
      Object.fromEntries(specifiers.map((s) => [s, Array.isArray(names[s]) ? names[s].length : 0])),
    );
  });

  it('a strict TypeScript project (nodenext, lib ES2022, skipLibCheck false) type-checks against the declarations', () => {
    const dir = projects.typescript;
    // Nothing in the project supplies types: no @types packages, no TypeScript install of its own.
    expect(installedPackages(dir).filter((p) => p.startsWith('@types/'))).toEqual([]);
    // A failing tsc (errors, a crash, a timeout) throws here with its output.
    const output = repoBin('tsc', ['-p', 'tsconfig.json', '--pretty', 'false'], dir);
    expect(output.split('\n').filter((line) => line.includes('error TS'))).toEqual([]);
  });

  it('an esbuild bundle for Node (app and scichain/worker as two entry points) trains on two threads', () => {
    const dir = projects.bundled;
    repoBin(
      'esbuild',
      [
        'app=app.js',
        'worker-entry=scichain/worker',
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--outdir=out',
        '--log-level=warning',
      ],
      dir,
    );
    // The bundle runs without the package: the project's node_modules goes before running it.
    unlinkSync(join(dir, 'node_modules'));
    // Bounded: a hang (the worker entry not found, as before) fails at 30 s.
    const out = JSON.parse(node(['out/app.js'], dir, 30_000).trim().split('\n').at(-1)!) as {
      threads: number;
      first: number;
      last: number;
    };
    expect(out.threads).toBe(2);
    expect(out.first).toBeGreaterThan(0.05);
    expect(out.last).toBeLessThan(out.first / 10);
  });

  it('bundles for the browser: a scichain/nn page without mathjs or Plotly, the whole root without node: modules', async () => {
    const nn = await browserBundle(projects.browser, 'nn-page.js');
    expect(nn.packages).toContain('scichain');
    expect(nn.packages.filter((p) => p === 'mathjs' || p.startsWith('plotly'))).toEqual([]);
    // esbuild fails on a node: import when bundling for the browser, so this build proves none.
    const root = await browserBundle(projects.browser, 'root-page.js');
    expect(root.packages).toContain('mathjs');
    expect(root.bytes).toBeGreaterThan(nn.bytes);
    console.log(
      `browser bundles (minified): scichain/nn page ${nn.bytes} B [${nn.packages.join(' ')}], ` +
        `root ${root.bytes} B`,
    );
  });
});
