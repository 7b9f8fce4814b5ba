// Resuming under early stopping (issue 17, defect 14): a run interrupted after ANY epoch k and
// resumed from the checkpoint taken there ends with the same θ bits, the same stop epoch, the
// same best epoch and the same history as the uninterrupted run.
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  dropout,
  meanSquaredError,
  parameters,
  Rng,
  supervisedObjective,
  trainSupervised,
  type TrainSupervisedOptions,
} from '../../src/index.ts';

function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.fillNormal(new Float64Array(3 * n)) as Float64Array;
  const y = new Float64Array(2 * n);
  for (let s = 0; s < n; s++) {
    const [a, b, c] = [x[3 * s], x[3 * s + 1], x[3 * s + 2]];
    y[2 * s] = Math.sin(1.5 * a) - 2 * b * c + 0.25 + 0.3 * rng.normal();
    y[2 * s + 1] = -a + 3 * c * c - 1 + 0.3 * rng.normal();
  }
  return { x, y };
}

type Mode = 'mini-batch, validation' | 'mini-batch, training loss' | 'full batch, training loss';
const TOTAL = 30;

function problem(mode: Mode) {
  const net = chain(3, dense(8, 'tanh'), dropout(0.1), dense(2));
  const layout = parameters({ net });
  const obj = supervisedObjective({
    model: net,
    loss: meanSquaredError,
    ...data(48, 5),
    batchSize: 16,
    seed: 3,
  });
  const validation =
    mode === 'mini-batch, validation'
      ? supervisedObjective({ model: net, loss: meanSquaredError, ...data(32, 11) })
      : undefined;
  const options = (epochs: number): TrainSupervisedOptions => ({
    epochs,
    ...(mode === 'full batch, training loss' ? {} : { batchSize: 16 }),
    seed: 21,
    optimizer: adam({ learningRate: mode === 'full batch, training loss' ? 0.3 : 0.08 }),
    ...(validation ? { validation } : {}),
    earlyStopping: { patience: 3 },
    progress: false,
  });
  return { layout, obj, options };
}

function run(mode: Mode, epochs: number, resume?: string) {
  const { layout, obj, options } = problem(mode);
  const theta = resume ? layout.zeros() : layout.initial({ seed: 3 });
  let last = '';
  const r = trainSupervised(obj, theta, {
    ...options(epochs),
    onEpoch: (info) => {
      last = JSON.stringify(info.checkpoint());
    },
    ...(resume ? { resume: JSON.parse(resume) as never } : {}),
  });
  return { theta: Array.from(theta), r, last };
}

describe('resuming under early stopping', () => {
  for (const mode of [
    'mini-batch, validation',
    'mini-batch, training loss',
    'full batch, training loss',
  ] as const) {
    it(`continues bit-exactly from every epoch (${mode})`, () => {
      const straight = run(mode, TOTAL);
      expect(straight.r.reason).toBe('EarlyStopping');
      const stop = straight.r.epochs;
      expect(stop).toBeGreaterThan(3);
      expect(stop).toBeLessThan(TOTAL);
      for (let k = 1; k <= stop; k++) {
        const first = run(mode, k);
        const rest = run(mode, TOTAL - k, first.last);
        const at = `resumed after epoch ${k} of ${stop}`;
        expect(rest.r.reason, at).toBe('EarlyStopping');
        expect(rest.r.epochs, at).toBe(stop);
        expect(rest.r.bestEpoch, at).toBe(straight.r.bestEpoch);
        expect(rest.theta, at).toEqual(straight.theta);
        expect(rest.r.history, at).toEqual(straight.r.history);
      }
    });
  }

  it('resumes a checkpoint taken at the stopping epoch as stopped (no further epoch)', () => {
    const straight = run('mini-batch, validation', TOTAL);
    const atStop = run('mini-batch, validation', straight.r.epochs);
    const epochs: number[] = [];
    const { layout, obj, options } = problem('mini-batch, validation');
    const theta = layout.zeros();
    const r = trainSupervised(obj, theta, {
      ...options(TOTAL),
      resume: JSON.parse(atStop.last) as never,
      onEpoch: (info) => void epochs.push(info.epoch),
    });
    expect(epochs).toEqual([]);
    expect(r.reason).toBe('EarlyStopping');
    expect(r.epochs).toBe(straight.r.epochs);
    expect(Array.from(theta)).toEqual(straight.theta); // the best θ, restored
  });
});
