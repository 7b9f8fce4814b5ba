// Individual parameters written as expressions (θ by name, eta.<name>, covariates): compiled to
// the same values as the hand-written function, with clear errors.
import { describe, expect, it } from 'vitest';
import { PopulationModel, PopulationObjective } from '../../src/index.ts';
import { theophyllineModel, theophyllineSubjects } from '../../examples/theophylline-model.ts';

describe('individual parameters from expressions', () => {
  const expressionModel = (): PopulationModel =>
    new PopulationModel({
      ...theophyllineModel().spec,
      individualNames: undefined,
      individual: {
        ka: 'exp(tka + eta.ka)',
        cl: 'exp(tcl + eta.cl) * (WT/70)^0',
        v: 'exp(tv + eta.v)',
      },
    });

  it('compile to the hand-written function’s values and objective', () => {
    const model = expressionModel();
    expect(model.individualNames).toEqual(['ka', 'cl', 'v']);
    expect(model.covariateNames).toEqual(['WT']);
    const phi = new Float64Array(3);
    model.individual(
      { tka: 0.4, tcl: 1, tv: 3.4 },
      { ka: 0.1, cl: -0.2, v: 0.05 },
      { WT: 80 },
      phi,
    );
    [0.4 + 0.1, 1 - 0.2, 3.4 + 0.05].forEach((z, k) =>
      expect(Math.abs(phi[k] / Math.exp(z) - 1)).toBeLessThan(1e-15),
    );
    const a = new PopulationObjective(model, theophyllineSubjects(), 'FOCEI');
    const reference = theophyllineModel();
    const b = new PopulationObjective(reference, theophyllineSubjects(), 'FOCEI');
    expect(a.value(model.initial())).toBeCloseTo(b.value(reference.initial()), 8);
  });

  it('name unknown random effects, parse errors and missing covariates', () => {
    const spec = theophyllineModel().spec;
    expect(() => new PopulationModel({ ...spec, individual: { ka: 'exp(tka + eta.q)' } })).toThrow(
      /individual parameter 'ka' uses eta.q, but the model's random effects are ka, cl, v/,
    );
    expect(() => new PopulationModel({ ...spec, individual: { ka: 'exp(tka +' } })).toThrow(
      /individual parameter 'ka': cannot parse "exp\(tka \+"/,
    );
    const withAge = new PopulationModel({
      ...spec,
      individual: {
        ka: 'exp(tka + eta.ka)',
        cl: 'exp(tcl + eta.cl) * AGE/40',
        v: 'exp(tv + eta.v)',
      },
    });
    expect(() => new PopulationObjective(withAge, theophyllineSubjects(), 'FOCEI')).toThrow(
      /subject 1 has no finite covariate 'AGE', which the individual model uses/,
    );
  });
});
