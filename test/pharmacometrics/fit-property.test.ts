// Property: a population fit of any small dataset — empty subjects, NaN or infinite DVs, constant
// or negative DVs, predictions that turn NaN or throw past some clearance, any method and residual
// model — either throws a ScichainError that says what is wrong, or returns a result whose
// numbers are finite except where a reason is given (standard errors with the covariance
// step's reason, diagnostics with a warning), and claims convergence only with stopReason
// 'converged'. Seeded and bounded (fast-check, 60 runs of at most 5 iterations each).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitPopulation,
  PopulationModel,
  ScichainError,
  type PopulationFit,
} from '../../src/index.ts';
import { type PopulationSubject, type ResidualError } from '../../src/pharmacometrics/index.ts';

const TIMES = [0.5, 1, 2, 4, 8, 12];

const dv = fc.oneof(
  { weight: 40, arbitrary: fc.double({ min: 0.01, max: 8, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -1, 0, 5) },
);

const dataset = fc.record({
  subjects: fc.array(
    fc.record({
      dvs: fc.array(dv, { minLength: 0, maxLength: TIMES.length }),
      // Predictions NaN (or a thrown SolverFailed) once cl exceeds this.
      edge: fc.option(fc.double({ min: 1.5, max: 4, noNaN: true }), { nil: undefined }),
      throws: fc.boolean(),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  method: fc.constantFrom('FO' as const, 'FOCE' as const, 'FOCEI' as const),
  residual: fc.constantFrom<ResidualError>(
    { type: 'additive', additive: 0.5 },
    { type: 'proportional', proportional: 0.2 },
    { type: 'lognormal', additive: 0.3 },
  ),
  unusedTheta: fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
});

function subjectsOf(data: Dataset): PopulationSubject[] {
  return data.subjects.map((s, i): PopulationSubject => {
    const times = TIMES.slice(0, s.dvs.length);
    return {
      id: `S${i + 1}`,
      times,
      observations: s.dvs,
      predict(phi: Float64Array, f: Float64Array) {
        if (s.edge !== undefined && phi[0] > s.edge) {
          if (s.throws) throw new ScichainError('SolverFailed', `subject S${i + 1}: solve failed`);
          f.fill(NaN);
          return;
        }
        for (let j = 0; j < times.length; j++)
          f[j] = (100 / phi[1]) * Math.exp((-phi[0] / phi[1]) * times[j]);
      },
    };
  });
}
type Dataset = typeof dataset extends fc.Arbitrary<infer T> ? T : never;

/** What every returned fit must satisfy. */
function checkResult(fit: PopulationFit): void {
  expect(Number.isFinite(fit.objective)).toBe(true);
  for (const e of fit.estimates) expect(Number.isFinite(e.value), e.name).toBe(true);
  expect(fit.converged).toBe(fit.stopReason === 'converged');
  if (!fit.converged) expect(fit.warnings).toContain(fit.stopMessage);
  const seMissing = fit.estimates.some((e) => Number.isNaN(e.se));
  if (seMissing) expect(fit.covariance.status).not.toBe('ok');
  if (fit.covariance.status !== 'ok') expect(fit.covariance.reason).not.toBe('');
  const sandwichMissing = fit.estimates.some((e) => Number.isNaN(e.seSandwich));
  if (sandwichMissing) expect(fit.covariance.sandwichStatus).not.toBe('ok');
  for (const d of fit.diagnostics) {
    if (!Number.isFinite(d.ipred))
      expect(fit.warnings.some((w) => w.includes(`NaN for subject ${d.id}:`))).toBe(true);
    if (!Number.isFinite(d.pred))
      expect(
        fit.warnings.some((w) => w.startsWith(`PRED (η = 0) is NaN for subject ${d.id}`)),
      ).toBe(true);
  }
}

describe('population fits of arbitrary small datasets', () => {
  it('throw a ScichainError or return finite numbers with reasons for every NaN', () => {
    let errors = 0;
    let results = 0;
    fc.assert(
      fc.property(dataset, (data) => {
        const model = new PopulationModel({
          theta: data.unusedTheta ? { tcl: 0.5, tv: 2.5, tka: 0 } : { tcl: 0.5, tv: 2.5 },
          omega: { diagonal: { cl: 0.2, v: 0.2 } },
          residual: data.residual,
          individual: { cl: 'exp(tcl + eta.cl)', v: 'exp(tv + eta.v)' },
        });
        let fit: PopulationFit;
        try {
          fit = fitPopulation(model, subjectsOf(data), { method: data.method, maxIterations: 5 });
        } catch (e) {
          expect(e).toBeInstanceOf(ScichainError);
          expect((e as Error).message.length).toBeGreaterThan(20);
          errors++;
          return;
        }
        results++;
        checkResult(fit);
      }),
      { seed: 20261207, numRuns: 60 },
    );
    // Both outcomes occur.
    expect(errors).toBeGreaterThan(5);
    expect(results).toBeGreaterThan(5);
  });
});
