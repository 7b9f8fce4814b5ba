// Several endpoints per subject (PK concentrations with proportional error, a PD effect with
// additive error), each with its own residual model in the one parameter vector.
import { describe, expect, it } from 'vitest';
import { fitPopulation, PopulationModel, Rng, simulatePopulation } from '../../src/index.ts';
import {
  PopulationObjective,
  type PopulationSubject,
  type ResidualError,
} from '../../src/pharmacometrics/index.ts';

const TIMES = [0.5, 1, 2, 4, 8, 12];

/** Concentrations at TIMES (endpoint 0), then effects at the same times (endpoint 1). */
function design(count: number): PopulationSubject[] {
  const times = [...TIMES, ...TIMES];
  const endpoints = [...TIMES.map(() => 0), ...TIMES.map(() => 1)];
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    times,
    endpoints,
    observations: new Float64Array(times.length),
    predict(phi: Float64Array, f: Float64Array) {
      const [cl, v, ec50] = phi;
      for (let j = 0; j < TIMES.length; j++) {
        const c = (100 / v) * Math.exp((-cl / v) * TIMES[j]);
        f[j] = c;
        f[TIMES.length + j] = (10 * c) / (ec50 + c);
      }
    },
  }));
}

function model(residual: ResidualError | Record<string, ResidualError>): PopulationModel {
  return new PopulationModel({
    theta: { tcl: Math.log(2), tv: Math.log(20), tec50: Math.log(3) },
    omega: { diagonal: { cl: 0.09, ec50: 0.09 } },
    residual,
    individualNames: ['cl', 'v', 'ec50'],
    individual: (theta, eta, _cov, phi) => {
      phi[0] = Math.exp(theta.tcl + eta.cl);
      phi[1] = Math.exp(theta.tv);
      phi[2] = Math.exp(theta.tec50 + eta.ec50);
    },
  });
}

describe('several endpoints', () => {
  const truth = model({
    pk: { type: 'proportional', proportional: 0.1 },
    pd: { type: 'additive', additive: 0.3 },
  });
  const data = simulatePopulation(truth, truth.initial(), design(80), new Rng(4)).map(
    (s, i): PopulationSubject => ({ ...design(80)[i], observations: s.observations }),
  );

  it('lay out one residual block per endpoint and name them', () => {
    expect(truth.endpointNames).toEqual(['pk', 'pd']);
    expect(truth.parameterNames().slice(-2)).toEqual(['log pk proportional', 'log pd additive']);
    expect(truth.residuals(truth.initial())).toEqual([
      { type: 'proportional', proportional: expect.closeTo(0.1, 14) },
      { type: 'additive', additive: expect.closeTo(0.3, 14) },
    ]);
  });

  it('score each observation with its own endpoint’s residual model', () => {
    // With both endpoints given the same model, the objective equals the single-model one.
    const same: ResidualError = { type: 'combined-variance', additive: 0.2, proportional: 0.1 };
    const withoutEndpoints = data.map(({ endpoints: _, ...rest }) => rest);
    const one = new PopulationObjective(model(same), withoutEndpoints, 'FOCEI');
    const two = new PopulationObjective(model({ pk: same, pd: same }), data, 'FOCEI');
    const x1 = model(same).initial();
    const x2 = model({ pk: same, pd: same }).initial();
    expect(two.value(x2)).toBeCloseTo(one.value(x1), 9);
    // An endpoint index the model does not have is an error naming the subject and observation.
    expect(() => new PopulationObjective(model(same), data, 'FOCEI')).toThrow(
      /subject 1, observation 7: endpoint 1 is not one of the model's 1/,
    );
  });

  it('FOCEI recovers both residual models and the PK/PD parameters', () => {
    const start = model({
      pk: { type: 'proportional', proportional: 0.2 },
      pd: { type: 'additive', additive: 0.6 },
    });
    const fit = fitPopulation(start, data, { method: 'FOCEI', covariance: false });
    expect(Math.abs(fit.residuals[0].proportional! - 0.1) / 0.1).toBeLessThan(0.1);
    expect(Math.abs(fit.residuals[1].additive! - 0.3) / 0.3).toBeLessThan(0.1);
    expect(Math.abs(fit.theta.tcl - Math.log(2))).toBeLessThan(0.08);
    expect(Math.abs(fit.theta.tec50 - Math.log(3))).toBeLessThan(0.1);
    expect(fit.estimates.map((e) => e.name).slice(-2)).toEqual([
      'residual pk proportional',
      'residual pd additive',
    ]);
  });
});
