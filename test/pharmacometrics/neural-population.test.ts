// A network from a covariate to a typical value, fitted inside the population model by
// fitNeuralPopulation: on data where clearance scales as (WT/70)^0.75, the learned effect
// matches the allometric curve and the fit beats the model without the covariate on the same
// (FOCEI) objective, with the weights counted in AIC.
import { describe, expect, it } from 'vitest';
import { fitNeuralPopulation, fitPopulation, PopulationModel, Rng } from '../../src/index.ts';
import { simulate } from './helpers/allometric-study.ts';

/** The 1–3–1 tanh network of (WT/70 − 1) (10 weights). */
function network(w: ArrayLike<number>, wt: number): number {
  const x = wt / 70 - 1;
  let s = w[9];
  for (let k = 0; k < 3; k++) s += w[6 + k] * Math.tanh(w[k] * x + w[3 + k]);
  return s;
}

describe('neural population models', () => {
  it('learns an allometric covariate effect with a network', () => {
    const subjects = simulate(17, 40);
    const common = {
      omega: { diagonal: { cl: 0.1, v: 0.1 } },
      residual: { type: 'proportional', proportional: 0.1 } as const,
      individualNames: ['cl', 'v'],
    };
    const plain = fitPopulation(
      new PopulationModel({
        ...common,
        theta: { tcl: 0.5, tv: 3 },
        individual: (theta, eta, _cov, phi) => {
          phi[0] = Math.exp(theta.tcl + eta.cl);
          phi[1] = Math.exp(theta.tv + eta.v);
        },
      }),
      subjects,
      { method: 'FOCEI', covariance: false },
    );
    const rng = new Rng(2);
    const model = new PopulationModel({
      ...common,
      theta: { tcl: 0.5, tv: 3 },
      weights: {
        wt: [...Array.from({ length: 6 }, () => rng.normal()), 0, 0, 0, 0],
      },
      individual: (theta, eta, cov, phi, w) => {
        phi[0] = Math.exp(theta.tcl + network(w.wt, cov.WT) + eta.cl);
        phi[1] = Math.exp(theta.tv + eta.v);
      },
    });
    const fit = fitNeuralPopulation(model, subjects, { rounds: 2, covariance: false });
    // The covariate explains most of clearance's variability: a large drop of the objective,
    // and ω²(cl) falls towards the simulated 0.02 (without the covariate it absorbs the weight
    // effect: ~0.02 + 0.75²·Var(log WT) ≈ 0.07).
    expect(plain.objective - fit.objective).toBeGreaterThan(40);
    expect(fit.aic).toBeLessThan(plain.aic - 20);
    expect(fit.parameterCount).toBe(plain.parameterCount + 10);
    expect(fit.omega[0]).toBeLessThan(0.035);
    expect(plain.omega[0]).toBeGreaterThan(0.05);
    // The learned effect relative to 70 kg against 0.75·log(WT/70).
    const w = fit.x.subarray(2, 12);
    for (const wt of [45, 55, 70, 85, 100, 115]) {
      const learned = network(w, wt) - network(w, 70);
      expect(Math.abs(learned - 0.75 * Math.log(wt / 70)), `WT ${wt}`).toBeLessThan(0.06);
    }
    expect(fit.rounds.length).toBe(2);
  });
});
