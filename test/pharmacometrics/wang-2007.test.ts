// The objective functions against the Wang (2007) test set (J Pharmacokinet Pharmacodyn
// 34:575–593, Table 1): f = 10·exp(−ke·t), ke = 0.5·exp(η), ω² = 0.04, residual variance 0.1,
// ten subjects observed at t = 0 and 1. NONMEM and nlmixr2 reproduce these values.
import { describe, expect, it } from 'vitest';
import {
  ResidualVariance,
  SubjectNlme,
  type NlmeMethod,
  type ResidualError,
  type SubjectPredictor,
} from '../../src/pharmacometrics/index.ts';

const DATA = [
  [10.68, 3.6837],
  [10.402, 6.454],
  [9.8814, 5.8565],
  [9.3408, 5.6209],
  [10.082, 6.7583],
  [9.8938, 6.5049],
  [9.8908, 6.9557],
  [10.234, 6.4488],
  [9.9882, 6.7112],
  [9.6736, 6.6402],
];
const TIMES = [0, 1];

const predictor: SubjectPredictor = {
  observationCount: 2,
  predict(eta, f, jacobian) {
    const ke = 0.5 * Math.exp(eta[0]);
    for (let j = 0; j < 2; j++) {
      f[j] = 10 * Math.exp(-ke * TIMES[j]);
      if (jacobian) jacobian[j] = -f[j] * ke * TIMES[j];
    }
  },
};

function total(
  method: NlmeMethod,
  residual: ResidualError,
  laplaceHessian: 'expected' | 'numerical' = 'expected',
): number {
  const omega = new Float64Array([0.04]);
  const omegaInverse = new Float64Array([25]);
  const variance = new ResidualVariance(residual);
  let sum = 0;
  for (const y of DATA) {
    const subject = new SubjectNlme(y, predictor, 1);
    sum += subject.objective(method, omega, omegaInverse, Math.log(0.04), variance, {
      laplaceHessian,
    }).value;
  }
  return sum;
}

const sd = Math.sqrt(0.1);

describe('Wang (2007) objective values', () => {
  const cases: [NlmeMethod, ResidualError, number][] = [
    ['FO', { type: 'additive', additive: sd }, 0.026],
    ['FOCE', { type: 'additive', additive: sd }, -2.059],
    ['FOCEI', { type: 'additive', additive: sd }, -2.059],
    ['Laplace', { type: 'additive', additive: sd }, -2.059],
    ['FO', { type: 'proportional', proportional: sd }, 39.213],
    ['FOCE', { type: 'proportional', proportional: sd }, 39.207],
    ['FOCEI', { type: 'proportional', proportional: sd }, 39.458],
    ['Laplace', { type: 'proportional', proportional: sd }, 39.458],
  ];
  for (const [method, residual, expected] of cases) {
    it(`${method}, ${residual.type} error: ${expected}`, () => {
      expect(Math.abs(total(method, residual) - expected)).toBeLessThanOrEqual(0.0005 + 1e-9);
    });
  }

  it('Laplace with the exact Hessian adds the residual-weighted second derivatives of f', () => {
    // Independent check: O(η) = Σ[ln R + r²/R] + η²/ω² summed over subjects at η̂, plus
    // ln ω² + ln(½·O''(η̂)) with O'' by second differences of O itself.
    const residual: ResidualError = { type: 'proportional', proportional: sd };
    const variance = new ResidualVariance(residual);
    let expected = 0;
    for (const y of DATA) {
      const subject = new SubjectNlme(y, predictor, 1);
      const { eta } = subject.objective(
        'FOCEI',
        new Float64Array([0.04]),
        new Float64Array([25]),
        Math.log(0.04),
        variance,
      );
      const O = (e: number): number => {
        const f = new Float64Array(2);
        predictor.predict(new Float64Array([e]), f, null);
        let s = (e * e) / 0.04;
        for (let j = 0; j < 2; j++) {
          const R = variance.variance(f[j]);
          s += Math.log(R) + (y[j] - f[j]) ** 2 / R;
        }
        return s;
      };
      const h = 1e-4;
      const second = (O(eta[0] + h) - 2 * O(eta[0]) + O(eta[0] - h)) / (h * h);
      expected += O(eta[0]) + Math.log(0.04) + Math.log(0.5 * second);
    }
    const numerical = total('Laplace', residual, 'numerical');
    expect(Math.abs(numerical - expected)).toBeLessThan(1e-5);
    // … and differs from the expected-Hessian value by the f″ terms (not a rounding matter).
    expect(Math.abs(numerical - total('Laplace', residual))).toBeGreaterThan(0.05);
  });
});
