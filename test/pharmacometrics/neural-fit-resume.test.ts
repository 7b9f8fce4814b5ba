// Interrupted neural population fits (issue 17, defect 17): fitNeuralPopulationAsync slices the
// joint steps (L-BFGS continued from its curvature memory) and runs the population steps through
// fitPopulationAsync; interrupted in a joint step, in a population step, or in the second round
// (the first round's fit then comes back by rerunning its population step from its recorded
// inputs), a resumed fit ends with the bits of an uninterrupted fitNeuralPopulation.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitNeuralPopulation, PopulationModel, Rng, ScichainError } from '../../src/index.ts';
import {
  fitNeuralPopulationAsync,
  type NeuralPopulationFit,
} from '../../src/pharmacometrics/index.ts';
import { loadNeuralFitCheckpoint } from '../../src/pharmacometrics/estimation/neural-fit-checkpoint.ts';
import { simulate } from './helpers/allometric-study.ts';

/** A 1–2–1 tanh network of (WT/70 − 1) (7 weights) on log clearance. */
function network(w: ArrayLike<number>, wt: number): number {
  const x = wt / 70 - 1;
  return w[6] + w[4] * Math.tanh(w[0] * x + w[2]) + w[5] * Math.tanh(w[1] * x + w[3]);
}

const rng = new Rng(2);
const model = new PopulationModel({
  omega: { diagonal: { cl: 0.1, v: 0.1 } },
  residual: { type: 'proportional', proportional: 0.1 },
  individualNames: ['cl', 'v'],
  theta: { tcl: 0.5, tv: 3 },
  weights: { wt: [...Array.from({ length: 4 }, () => rng.normal()), 0, 0, 0] },
  individual: (theta, eta, cov, phi, w) => {
    phi[0] = Math.exp(theta.tcl + network(w.wt, cov.WT) + eta.cl);
    phi[1] = Math.exp(theta.tv + eta.v);
  },
});
const subjects = simulate(17, 16);
const options = {
  rounds: 2,
  jointIterations: 12,
  populationIterations: 8,
  covariance: true,
} as const;

let straight: NeuralPopulationFit | undefined;
function uninterrupted(): NeuralPopulationFit {
  straight ??= fitNeuralPopulation(model, subjects, options);
  return straight;
}

function expectSameBits(a: NeuralPopulationFit, b: NeuralPopulationFit): void {
  expect(Array.from(a.x)).toEqual(Array.from(b.x));
  expect(Object.is(a.objective, b.objective)).toBe(true);
  expect(a.iterations).toBe(b.iterations);
  expect(a.rounds.map((r) => [r.joint, r.jointIterations, r.objective])).toEqual(
    b.rounds.map((r) => [r.joint, r.jointIterations, r.objective]),
  );
  expect(a.covariance.status).toBe(b.covariance.status);
  expect(a.eta.map((e) => Array.from(e))).toEqual(b.eta.map((e) => Array.from(e)));
}

const tempPath = (): string => join(mkdtempSync(join(tmpdir(), 'scichain-nfit-')), 'fit.json');

describe('interrupted neural population fits resume bit-exactly', () => {
  it('uninterrupted slices give the bits of fitNeuralPopulation', async () => {
    const r = await fitNeuralPopulationAsync(model, subjects, { ...options, sliceMs: 0 });
    expect(r.reason).toBe('Done');
    if (r.reason === 'Done') expectSameBits(r.fit, uninterrupted());
    expect(uninterrupted().rounds).toHaveLength(2);
  });

  // Slices of one iteration: 3 stops in round 1's joint step, 15 in its population step, 30 in
  // round 2 (after round 1 was done and recorded).
  for (const [slices, stage, round] of [
    [3, 'joint', 1],
    [15, 'population', 1],
    [30, undefined, 2],
  ] as const) {
    it(`stopped after ${slices} slices (round ${round}), resumed from the file`, async () => {
      const path = tempPath();
      const first = await fitNeuralPopulationAsync(model, subjects, {
        ...options,
        sliceMs: 0,
        stopAfterSlices: slices,
        checkpoint: { path },
      });
      expect(first).toMatchObject({ reason: 'Interrupted', round, checkpointPath: path });
      if (stage !== undefined) expect(first).toMatchObject({ stage });
      const resumed = await fitNeuralPopulationAsync(model, subjects, {
        ...options,
        checkpoint: { path },
        resume: loadNeuralFitCheckpoint(path),
      });
      expect(resumed.reason).toBe('Done');
      if (resumed.reason === 'Done') expectSameBits(resumed.fit, uninterrupted());
    });
  }

  it('a damaged checkpoint is refused naming the file and field', async () => {
    const path = tempPath();
    await fitNeuralPopulationAsync(model, subjects, {
      ...options,
      sliceMs: 0,
      stopAfterSlices: 3,
      checkpoint: { path },
    });
    const good = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, method: 'FO' }, /method is "FO" but this fit is FOCEI/],
      [{ ...good, rounds: 3 }, /rounds is 3 but this fit has 2 rounds/],
      [{ ...good, data: '0badf00d' }, /data is "0badf00d" but this fit's data give [0-9a-f]{8}/],
      [{ ...good, x: (good.x as unknown[]).slice(1) }, /x has \d+ entries but the model’s x has/],
      [{ ...good, round: 7 }, /round must be an integer in \[1, 3\], got 7/],
      [{ ...good, stage: 'warmup' }, /stage must be "joint" or "population", got "warmup"/],
      [{ ...good, done: [{}] }, /done has 1 rounds but round 1 is under way/],
    ];
    for (const [doc, message] of cases) {
      writeFileSync(path, JSON.stringify(doc));
      const resume = loadNeuralFitCheckpoint(path);
      const error = await fitNeuralPopulationAsync(model, subjects, { ...options, resume }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ScichainError);
      expect((error as Error).message).toMatch(`checkpoint file ${path}`);
      expect((error as Error).message).toMatch(message);
    }
  });
});
