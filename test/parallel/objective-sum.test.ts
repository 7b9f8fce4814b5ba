// A multi-trajectory UDE loss as a sum of ODE objectives: the sum and its gradient against the
// parts evaluated one by one and against central differences; on 2 and 3 threads bit-identical
// to one thread (each part in its own slot, summed in part order); a failed solve gives +∞ with
// a NaN gradient; a setup that builds other parts is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { ScichainError, sumOfObjectives, ThreadPool } from '../../src/index.ts';
import { type ObjectivePart } from '../../src/training/index.ts';
import { lotkaVolterraUde } from '../../models/lotka-volterra-ude.ts';
import { lotkaVolterraParts } from './fixture-trajectories.ts';
import { centralDifferences, relativeError } from '../helpers/finite-differences.ts';

const url = new URL('./fixture-trajectories.ts', import.meta.url).href;
const setup = { url, export: 'lotkaVolterraParts' };

function startingPoint(): Float64Array {
  const model = lotkaVolterraUde();
  const p = model.initialParameters(3);
  for (let k = model.offset('nn'); k < p.length; k++) p[k] *= 0.5;
  return p;
}

describe('sums of objectives (multi-trajectory losses)', () => {
  const pools = [2, 3].map((threads) => new ThreadPool({ threads }));
  afterAll(() => pools.forEach((p) => p.close()));

  it('add the parts’ losses and gradients, which match central differences', () => {
    const parts = lotkaVolterraParts({ count: 3 });
    const p = startingPoint();
    const sum = sumOfObjectives(parts, p.length);
    const grad = new Float64Array(p.length);
    const value = sum.valueAndGradient(p, grad);
    let expected = 0;
    const expectedGrad = new Float64Array(p.length);
    for (const part of parts) {
      const g = new Float64Array(p.length);
      expected += part.valueAndGradient(p, g);
      for (let i = 0; i < p.length; i++) expectedGrad[i] += g[i];
    }
    expect(value).toBe(expected);
    expect(Array.from(grad)).toEqual(Array.from(expectedGrad));
    expect(Array.from(sum.partLosses).every((l) => l > 0)).toBe(true);
    const fd = centralDifferences(() => sum.valueAndGradient(p, new Float64Array(p.length)), p);
    expect(relativeError(grad, fd)).toBeLessThan(1e-5);
  });

  it('give the one-thread loss and gradient bit for bit on 2 and 3 threads', () => {
    const p = startingPoint();
    const one = sumOfObjectives(lotkaVolterraParts({ count: 4 }), p.length);
    const g1 = new Float64Array(p.length);
    const v1 = one.valueAndGradient(p, g1);
    for (const pool of pools) {
      const many = sumOfObjectives(lotkaVolterraParts({ count: 4 }), p.length, {
        threads: { setup, args: { count: 4 }, pool },
      });
      expect(many.threads).toBe(pool.threads);
      const g = new Float64Array(p.length);
      expect(many.valueAndGradient(p, g)).toBe(v1);
      expect(Array.from(g)).toEqual(Array.from(g1));
      // And again at another point (the workers keep their parts).
      const q = p.slice();
      q[q.length - 1] += 0.01;
      const gA = new Float64Array(p.length);
      const gB = new Float64Array(p.length);
      expect(many.valueAndGradient(q, gA)).toBe(one.valueAndGradient(q, gB));
      expect(Array.from(gA)).toEqual(Array.from(gB));
      many.dispose();
    }
  });

  it('report a failed solve as +∞ with a NaN gradient, and other errors as thrown', () => {
    const fine: ObjectivePart = {
      valueAndGradient(_p, grad) {
        grad.fill(1);
        return 2;
      },
    };
    const failed: ObjectivePart = {
      valueAndGradient() {
        throw new ScichainError('SolverFailed', 'step size collapsed at t = 3.1');
      },
    };
    const broken: ObjectivePart = {
      valueAndGradient() {
        throw new Error('a bug in the part');
      },
    };
    const p = new Float64Array(2);
    const grad = new Float64Array(2);
    const sum = sumOfObjectives([fine, failed], 2);
    expect(sum.valueAndGradient(p, grad)).toBe(Infinity);
    expect(Array.from(sum.partLosses)).toEqual([2, Infinity]);
    expect(grad.every(Number.isNaN)).toBe(true);
    expect(() => sumOfObjectives([fine, broken], 2).valueAndGradient(p, grad)).toThrow(/a bug/);
    expect(() => sum.valueAndGradient(new Float64Array(3), grad)).toThrow(/2 entries/);
  });

  it('refuse a setup that builds other parts, naming both counts', () => {
    const p = startingPoint();
    expect(() =>
      sumOfObjectives(lotkaVolterraParts({ count: 4 }), p.length, {
        threads: { setup: { url, export: 'tooFewParts' }, args: { count: 4 }, pool: pools[0] },
      }),
    ).toThrow(/worker 1: .*built 3 parts .* the calling thread has 4/);
  });
});
