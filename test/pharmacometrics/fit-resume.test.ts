// Interrupted population fits (issue 17, defect 17): fitPopulationAsync writes a checkpoint on
// a signal (delivered with process.emit, as Node delivers a real one) or after a given number
// of outer iterations, and a fit resumed from that file ends with the x, objective and
// iteration count of the uninterrupted fitPopulation, bit for bit. Damaged checkpoints are
// refused with the file and the field named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitPopulation, ScichainError, ThreadPool, type PopulationFit } from '../../src/index.ts';
import { fitPopulationAsync } from '../../src/pharmacometrics/index.ts';
import { loadPopulationFitCheckpoint } from '../../src/pharmacometrics/estimation/fit-population.ts';
import { theophyllineModel, theophyllineSubjects } from '../../examples/theophylline-model.ts';

const model = theophyllineModel();
const subjects = theophyllineSubjects('closed-form');
const options = { method: 'FOCEI', covariance: false } as const;

let straight: PopulationFit | undefined;
function uninterrupted(): PopulationFit {
  straight ??= fitPopulation(model, subjects, options);
  return straight;
}

function expectSameBits(a: PopulationFit, b: PopulationFit): void {
  expect(Array.from(a.x)).toEqual(Array.from(b.x));
  expect(Object.is(a.objective, b.objective)).toBe(true);
  expect(a.iterations).toBe(b.iterations);
  expect(a.evaluations).toBe(b.evaluations);
  expect(a.stopReason).toBe(b.stopReason);
  expect(a.gradientNorm).toBe(b.gradientNorm);
  expect(a.eta.map((e) => Array.from(e))).toEqual(b.eta.map((e) => Array.from(e)));
}

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'scichain-fit-')), 'fit.ckpt.json');
}

describe('interrupted population fits resume bit-exactly', () => {
  it('one-iteration slices without interruption take the same iterates as one call', async () => {
    const r = await fitPopulationAsync(model, subjects, { ...options, sliceMs: 0 });
    expect(r.reason).toBe('Done');
    if (r.reason !== 'Done') return;
    expect(uninterrupted().iterations).toBeGreaterThan(10);
    expectSameBits(r.fit, uninterrupted());
  });

  for (const k of [1, 3, 7, 12]) {
    it(`stopped after iteration ${k}, resumed from the file: same x, objective, iterations`, async () => {
      const path = tempPath();
      const first = await fitPopulationAsync(model, subjects, {
        ...options,
        sliceMs: 0,
        stopAfterIterations: k,
        checkpoint: { path },
      });
      expect(first).toMatchObject({ reason: 'Interrupted', iterations: k, checkpointPath: path });
      const resumed = await fitPopulationAsync(model, subjects, {
        ...options,
        resume: loadPopulationFitCheckpoint(path),
      });
      expect(resumed.reason).toBe('Done');
      if (resumed.reason === 'Done') expectSameBits(resumed.fit, uninterrupted());
    });
  }

  it('SIGINT and SIGTERM: the slice finishes, the checkpoint is written, the resume matches', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const path = tempPath();
      const listeners = process.listenerCount(signal);
      // The first slice runs before fitPopulationAsync returns; the signal arrives after it.
      const pending = fitPopulationAsync(model, subjects, {
        ...options,
        sliceMs: 0,
        checkpoint: { path, everySeconds: 3600 },
      });
      process.emit(signal, signal);
      const first = await pending;
      expect(first).toMatchObject({ reason: 'Interrupted', signal, iterations: 1 });
      expect(process.listenerCount(signal)).toBe(listeners); // handlers removed
      const twice = await fitPopulationAsync(model, subjects, {
        ...options,
        sliceMs: 0,
        stopAfterIterations: 4,
        checkpoint: { path },
        resume: loadPopulationFitCheckpoint(path),
      });
      expect(twice).toMatchObject({ reason: 'Interrupted', iterations: 4 });
      const resumed = await fitPopulationAsync(model, subjects, {
        ...options,
        resume: loadPopulationFitCheckpoint(path),
      });
      expect(resumed.reason).toBe('Done');
      if (resumed.reason === 'Done') expectSameBits(resumed.fit, uninterrupted());
    }
  });
});

describe('checkpoints and threads', () => {
  it('a fit on two threads, interrupted and resumed on two threads or one, ends with the one-thread bits', async () => {
    const setup = {
      url: new URL('../parallel/fixture-population.ts', import.meta.url).href,
      export: 'theophyllineSetup',
    };
    const pool = new ThreadPool({ threads: 2, maxThreads: 2 });
    const threads = { setup, args: { path: 'closed-form' }, pool };
    try {
      // The workers' subjects carry their η̂-step curvature warm starts into the checkpoint
      // (through the shared block): without them the resumed iterates differ in the 5th digit.
      for (const [k, resumeThreads] of [
        [3, threads],
        [7, undefined],
      ] as const) {
        const path = tempPath();
        const first = await fitPopulationAsync(model, subjects, {
          ...options,
          threads,
          sliceMs: 0,
          stopAfterIterations: k,
          checkpoint: { path },
        });
        expect(first).toMatchObject({ reason: 'Interrupted', iterations: k });
        const resumed = await fitPopulationAsync(model, subjects, {
          ...options,
          ...(resumeThreads === undefined ? {} : { threads: resumeThreads }),
          resume: loadPopulationFitCheckpoint(path),
        });
        expect(resumed.reason).toBe('Done');
        if (resumed.reason === 'Done') expectSameBits(resumed.fit, uninterrupted());
      }
    } finally {
      pool.close();
    }
  });
});

describe('damaged population-fit checkpoints', () => {
  let written: string | undefined;
  async function checkpointFile(): Promise<string> {
    if (written === undefined) {
      written = tempPath();
      await fitPopulationAsync(model, subjects, {
        ...options,
        sliceMs: 0,
        stopAfterIterations: 2,
        checkpoint: { path: written },
      });
    }
    return written;
  }
  async function resumeEdited(
    edit: (c: Record<string, unknown>) => void,
    method: 'FOCEI' | 'FOCE' = 'FOCEI',
  ): Promise<ScichainError> {
    const source = JSON.parse(readFileSync(await checkpointFile(), 'utf8')) as Record<
      string,
      unknown
    >;
    edit(source);
    const path = tempPath();
    writeFileSync(path, JSON.stringify(source).replace('"huge-marker"', '1e999'));
    try {
      await fitPopulationAsync(model, subjects, {
        ...options,
        method,
        resume: loadPopulationFitCheckpoint(path),
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ScichainError);
      expect((e as Error).message).toContain(`checkpoint file ${path}`);
      return e as ScichainError;
    }
    throw new Error('the damaged checkpoint was accepted');
  }

  it('another method', async () => {
    const e = await resumeEdited(() => {}, 'FOCE');
    expect(e.message).toContain('method is "FOCEI" but this fit is FOCE');
  });

  it('another parameter count or subject count', async () => {
    let e = await resumeEdited((c) => (c.x as number[]).pop());
    expect(e.message).toContain('x has 6 entries but the model’s x has 7');
    expect(e.code).toBe('ShapeMismatch');
    e = await resumeEdited((c) => (c.subjects = 11));
    expect(e.message).toContain('subjects is 11 but this fit has 12 subjects');
    e = await resumeEdited((c) => (c.etas as number[]).push(0));
    expect(e.message).toContain('etas has 37 entries but 12 subjects × 3 η has 36');
  });

  it('other fixed parameters or other data (found in review: a fixed tka moved on resume)', async () => {
    const path = await checkpointFile();
    const fixed = await fitPopulationAsync(model, subjects, {
      ...options,
      fixed: ['tka'],
      resume: loadPopulationFitCheckpoint(path),
    }).catch((e: unknown) => e);
    expect(fixed).toBeInstanceOf(ScichainError);
    expect((fixed as Error).message).toMatch(
      /free is \[0, 1, 2, 3, 4, 5, 6\] but this fit estimates entries \[1, 2, 3, 4, 5, 6\] of x/,
    );
    const other = subjects.map((s, i) =>
      i === 3 ? { ...s, observations: Array.from(s.observations, (v) => v * 1.01) } : s,
    );
    const data = await fitPopulationAsync(model, other, {
      ...options,
      resume: loadPopulationFitCheckpoint(path),
    }).catch((e: unknown) => e);
    expect(data).toBeInstanceOf(ScichainError);
    expect((data as Error).message).toMatch(
      /data is "[0-9a-f]{8}" but this fit's data give [0-9a-f]{8}/,
    );
  });

  it('NaN in x, a bad L-BFGS state, a bad counter', async () => {
    // JSON has no NaN: a writer turns it into null; 1e999 reads as Infinity.
    let e = await resumeEdited((c) => ((c.x as unknown[])[2] = 'huge-marker'));
    expect(e.message).toContain('x[2] must be a finite number (or "-0"), got Infinity');
    expect(e.code).toBe('NonFinite');
    e = await resumeEdited((c) => ((c.x as unknown[])[2] = null));
    expect(e.message).toContain('x[2] must be a finite number (or "-0"), got null');
    e = await resumeEdited((c) => ((c.lbfgs as { rho: unknown[] }).rho[0] = 'x'));
    expect(e.message).toContain('lbfgs.rho[0] must be a finite number');
    e = await resumeEdited((c) => ((c.curvatures as unknown[])[4] = [1, 2]));
    expect(e.message).toContain('curvatures[4] must be null or an array of 9 numbers');
    e = await resumeEdited((c) => (c.iterationEnd = -1));
    expect(e.message).toContain('iterationEnd must be an integer in [0,');
    e = await resumeEdited((c) => (c.format = 'scichain.phases'));
    expect(e.message).toContain('format must be "scichain.population-fit"');
  });

  it('truncated JSON', async () => {
    const text = readFileSync(await checkpointFile(), 'utf8');
    const path = tempPath();
    writeFileSync(path, text.slice(0, text.length >> 1));
    expect(() => loadPopulationFitCheckpoint(path)).toThrow(ScichainError);
    expect(() => loadPopulationFitCheckpoint(path)).toThrow(`checkpoint file ${path}`);
  });
});
