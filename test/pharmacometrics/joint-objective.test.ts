// The joint objective's gradient against central differences of its value (closed-form subjects
// with φ differenced, ODE subjects with a network inside the dynamics and forward sensitivities),
// and the naive pooled and individual fits against ordinary least squares, which they reduce to
// for a linear model with additive error.
import { describe, expect, it } from 'vitest';
import { designRecords, odeSubjects, PopulationModel, Rng } from '../../src/index.ts';
import {
  fitIndividuals,
  fitNaivePooled,
  JointObjective,
  type PopulationSubject,
  type ResidualError,
} from '../../src/pharmacometrics/index.ts';
import { neuralAbsorption } from '../../models/pk/neural-absorption.ts';

const TIMES = [0.5, 1, 2, 4, 8];

function ivSubjects(seed: number, count: number): PopulationSubject[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    times: TIMES,
    covariates: { WT: 50 + 40 * rng.uniform() },
    observations: TIMES.map((t) => 5 * Math.exp(-0.2 * t) * (1 + 0.1 * rng.normal())),
    predict(phi: Float64Array, f: Float64Array) {
      for (let j = 0; j < TIMES.length; j++)
        f[j] = (100 / phi[1]) * Math.exp((-phi[0] / phi[1]) * TIMES[j]);
    },
  }));
}

/** Central-difference gradient of J. */
function differenceGradient(objective: JointObjective, z: Float64Array): Float64Array {
  const g = new Float64Array(z.length);
  const point = z.slice();
  for (let k = 0; k < z.length; k++) {
    const h = 1e-6 * Math.max(1, Math.abs(z[k]));
    point[k] = z[k] + h;
    const up = objective.value(point);
    point[k] = z[k] - h;
    const down = objective.value(point);
    point[k] = z[k];
    g[k] = (up - down) / (2 * h);
  }
  return g;
}

function expectClose(analytic: Float64Array, numeric: Float64Array, tolerance: number): void {
  const scale = Math.max(1, ...Array.from(numeric, Math.abs));
  for (let k = 0; k < analytic.length; k++)
    expect(Math.abs(analytic[k] - numeric[k]) / scale, `entry ${k}`).toBeLessThan(tolerance);
}

describe('joint objective', () => {
  for (const residual of [
    { type: 'combined-variance', additive: 0.1, proportional: 0.15 },
    { type: 'combined-sd', additive: 0.1, proportional: 0.15 },
    { type: 'lognormal', additive: 0.2 },
  ] satisfies ResidualError[]) {
    it(`gradient matches differences: covariate network, ${residual.type} error estimated`, () => {
      const rng = new Rng(3);
      const model = new PopulationModel({
        theta: { tcl: Math.log(2), tv: Math.log(20) },
        weights: { wt: Array.from({ length: 7 }, () => 0.3 * rng.normal()) },
        omega: {
          names: ['cl', 'v'],
          block: [
            [0.1, 0.02],
            [0.02, 0.05],
          ],
        },
        residual,
        individualNames: ['cl', 'v'],
        // cl's typical value through a 1–2–1 tanh network of weight.
        individual: (theta, eta, cov, phi, w) => {
          const x = cov.WT / 70 - 1;
          const net =
            w.wt[4] * Math.tanh(w.wt[0] * x + w.wt[2]) +
            w.wt[5] * Math.tanh(w.wt[1] * x + w.wt[3]) +
            w.wt[6];
          phi[0] = Math.exp(theta.tcl + net + eta.cl);
          phi[1] = Math.exp(theta.tv + eta.v);
        },
      });
      const subjects = ivSubjects(5, 4);
      const objective = new JointObjective(model, subjects, model.initial(), {
        eta: 'free',
        residual: 'free',
      });
      const z = objective.initial();
      for (let k = objective.etaOffset; k < z.length; k++) z[k] = 0.3 * rng.normal();
      const grad = new Float64Array(z.length);
      const value = objective.valueAndGradient(z, grad);
      expect(Number.isFinite(value)).toBe(true);
      expectClose(grad, differenceGradient(objective, z), 2e-6);
      // The parts: 2 θ, 7 weights, the residual parameters, 4 × 2 η.
      expect(objective.size).toBe(2 + 7 + (residual.type === 'lognormal' ? 1 : 2) + 8);
    });
  }

  it('gradient matches differences: network inside the ODE (forward sensitivities)', () => {
    const ode = neuralAbsorption({ hidden: 3 });
    const p = ode.initialParameters(4);
    const block = ode.layout.block('absorption');
    const rng = new Rng(9);
    const weights = Array.from(
      p.subarray(block.offset, block.offset + block.size),
      (v) => v + 0.3 * rng.normal(),
    );
    const model = new PopulationModel({
      theta: { tmtt: 0, tcl: Math.log(4), tv: Math.log(30) },
      weights: { absorption: weights },
      omega: { diagonal: { mtt: 0.2, cl: 0.1 } },
      residual: { type: 'proportional', proportional: 0.1 },
      individualNames: ['mtt', 'cl', 'v', 'absorption'],
      individual: (theta, eta, _cov, phi) => {
        phi[0] = Math.exp(theta.tmtt + eta.mtt);
        phi[1] = Math.exp(theta.tcl + eta.cl);
        phi[2] = Math.exp(theta.tv);
      },
    });
    const design = designRecords({
      subjects: 2,
      doses: [{ time: 0, amount: 100 }],
      times: [0.5, 1, 2, 4, 8, 12],
    });
    const records = design.map((r, i) => ({
      ...r,
      observations: r.observations.map((o, j) => ({
        ...o,
        dv: 2 * Math.exp(-0.1 * o.time) * (1 + 0.05 * (i + j)),
      })),
    }));
    const subjects = odeSubjects(records, {
      model: ode,
      parameters: ['mtt', 'cl', 'v', 'absorption'],
      observe: ode.observation({ conc: 'central/v' }),
      method: 'Vern7',
      rtol: 1e-12,
      atol: 1e-12,
    });
    const objective = new JointObjective(model, subjects, model.initial(), {
      eta: 'free',
      residual: 'fixed',
    });
    const z = objective.initial(undefined, [
      Float64Array.of(0.2, -0.1),
      Float64Array.of(-0.3, 0.15),
    ]);
    const grad = new Float64Array(z.length);
    objective.valueAndGradient(z, grad);
    expectClose(grad, differenceGradient(objective, z), 1e-6);
    // Every weight of the network moves the objective.
    for (let k = 3; k < 3 + weights.length; k++) expect(Math.abs(grad[k])).toBeGreaterThan(1e-8);
  });
});

describe('naive pooled and individual fits', () => {
  // f = a + b·t with additive error: both fits are ordinary least squares, σ̂² = RSS/n.
  const lineModel = () =>
    new PopulationModel({
      theta: { a: 1, b: 0 },
      omega: { diagonal: { a: 0.1 } },
      residual: { type: 'additive', additive: 1 },
      individualNames: ['a', 'b'],
      individual: (theta, eta, _cov, phi) => {
        phi[0] = theta.a + eta.a;
        phi[1] = theta.b;
      },
    });
  const rng = new Rng(21);
  const subjects: PopulationSubject[] = Array.from({ length: 5 }, (_, i) => {
    const times = [0, 1, 2, 3, 4, 5];
    return {
      id: String(i + 1),
      times,
      observations: times.map((t) => 2 + i * 0.5 - 0.7 * t + 0.3 * rng.normal()),
      predict(phi: Float64Array, f: Float64Array) {
        for (let j = 0; j < times.length; j++) f[j] = phi[0] + phi[1] * times[j];
      },
    };
  });
  function ols(list: readonly PopulationSubject[]): {
    a: number;
    b: number;
    sigma: number;
    objective: number;
  } {
    const t = list.flatMap((s) => Array.from(s.times));
    const y = list.flatMap((s) => Array.from(s.observations));
    const n = t.length;
    const mt = t.reduce((s, v) => s + v, 0) / n;
    const my = y.reduce((s, v) => s + v, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let j = 0; j < n; j++) {
      sxy += (t[j] - mt) * (y[j] - my);
      sxx += (t[j] - mt) ** 2;
    }
    const b = sxy / sxx;
    const a = my - b * mt;
    const rss = y.reduce((s, v, j) => s + (v - a - b * t[j]) ** 2, 0);
    const variance = rss / n;
    return { a, b, sigma: Math.sqrt(variance), objective: n * Math.log(variance) + n };
  }

  it('naive pooled = least squares over all subjects', () => {
    const fit = fitNaivePooled(lineModel(), subjects);
    const expected = ols(subjects);
    expect(fit.theta.a).toBeCloseTo(expected.a, 6);
    expect(fit.theta.b).toBeCloseTo(expected.b, 6);
    expect(fit.residuals[0].additive).toBeCloseTo(expected.sigma, 6);
    expect(fit.objective).toBeCloseTo(expected.objective, 6);
    expect(fit.parameterCount).toBe(3);
    expect(fit.aic).toBeCloseTo(fit.objective + 30 * Math.log(2 * Math.PI) + 6, 9);
  });

  it('individual fits = least squares per subject', () => {
    const fits = fitIndividuals(lineModel(), subjects);
    expect(fits.map((f) => f.id)).toEqual(['1', '2', '3', '4', '5']);
    fits.forEach((fit, i) => {
      const expected = ols([subjects[i]]);
      expect(fit.theta.a).toBeCloseTo(expected.a, 5);
      expect(fit.theta.b).toBeCloseTo(expected.b, 5);
      expect(fit.residuals[0].additive).toBeCloseTo(expected.sigma, 5);
    });
  });
});
