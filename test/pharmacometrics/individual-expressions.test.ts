// Individual parameters written as expressions (θ by name, eta.<name>, covariates): compiled to
// the same values as the hand-written function, with clear errors.
import { describe, expect, it } from 'vitest';
import { PopulationModel, ScichainError } from '../../src/index.ts';
import { PopulationObjective } from '../../src/pharmacometrics/index.ts';
import { theophyllineModel, theophyllineSubjects } from '../../examples/theophylline-model.ts';
import { compileIndividual } from '../../src/pharmacometrics/estimation/individual-expressions.ts';

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

  it('generate code that holds no name or text of the model', () => {
    const model = new PopulationModel({
      theta: { tka: 0.4, θcl: 1 },
      omega: { diagonal: { ka: 0.1, cl: 0.1 } },
      residual: { type: 'additive', additive: 0.5 },
      individual: { ka: 'exp(tka + eta.ka) * Größe', cl: 'exp(θcl + eta.cl) / 2.5e-3' },
    });
    const compiled = compileIndividual(
      model.spec.individual as Record<string, string>,
      model.thetaNames,
      model.etaNames,
    );
    for (const text of ['tka', 'θcl', 'Größe', 'eta.']) {
      expect(compiled.source).not.toContain(text);
    }
    expect(model.covariateNames).toEqual(['Größe']);
    const phi = new Float64Array(2);
    model.individual({ tka: 0.4, θcl: 1 }, { ka: 0.1, cl: -0.2 }, { Größe: 1.8 }, phi);
    expect(phi[0]).toBeCloseTo(Math.exp(0.5) * 1.8, 14);
    expect(phi[1]).toBeCloseTo(Math.exp(0.8) / 2.5e-3, 10);
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

  it('malformed population specs are ScichainErrors naming the field', () => {
    const base = {
      theta: { tka: 0.4 },
      omega: { diagonal: { ka: 0.1 } },
      residual: { type: 'additive', additive: 0.5 },
      individual: { ka: 'exp(tka + eta.ka)' },
    };
    const cases: [object, RegExp][] = [
      [{ theta: undefined }, /theta must be an object/],
      [
        { theta: { tka: 'a' } },
        /initial θ 'tka' must be a number or \{ value, lower\?, upper\? \}, got a/,
      ],
      [{ theta: { tka: null } }, /initial θ 'tka' must be a number/],
      [{ omega: undefined }, /omega must be \{ diagonal/],
      [{ omega: { diagonal: null } }, /omega must be \{ diagonal/],
      [{ omega: { names: ['ka'] } }, /omega must be \{ diagonal/],
      [{ residual: undefined }, /residual must be a residual error model/],
      [{ residual: { type: 'foo', additive: 1 } }, /type must be one of additive, .* got foo/],
      [{ individual: null }, /individual must be \{ name: expression \} or a function/],
      [{ individual: ['exp(tka)'] }, /individual must be \{ name: expression \} or a function/],
      [{ weights: null }, /weights must be an object/],
      [{ individual: { ka: 5 } }, /individual parameter 'ka' needs an expression/],
    ];
    for (const [change, message] of cases) {
      const f = (): unknown => new PopulationModel({ ...base, ...change } as never);
      expect(f, JSON.stringify(change)).toThrow(ScichainError);
      expect(f, JSON.stringify(change)).toThrow(message);
    }
  });
});
