// Population fits on simulated data with known answers: the estimates recover the truth, the
// log-Cholesky Ω parameterisation round-trips, CWRES are standard normal, shrinkage follows its
// definition, and the Hessian and sandwich standard errors agree with the spread of estimates.
import { describe, expect, it } from 'vitest';
import { fitPopulation, PopulationModel, Rng } from '../../src/index.ts';
import { JointObjective, type PopulationSubject } from '../../src/pharmacometrics/index.ts';

const TIMES = [0.5, 1, 2, 4, 8, 12];

/** One-compartment IV bolus, dose 100: C = 100/v·exp(−cl/v·t). */
function simulate(seed: number, count: number, sd: number): PopulationSubject[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const cl = Math.exp(Math.log(2) + Math.sqrt(0.09) * rng.normal());
    const v = Math.exp(Math.log(20) + Math.sqrt(0.04) * rng.normal());
    const observations = TIMES.map((t) => (100 / v) * Math.exp((-cl / v) * t) + sd * rng.normal());
    return {
      id: String(i + 1),
      observations,
      times: TIMES,
      predict(phi: Float64Array, f: Float64Array) {
        for (let j = 0; j < TIMES.length; j++)
          f[j] = (100 / phi[1]) * Math.exp((-phi[0] / phi[1]) * TIMES[j]);
      },
    };
  });
}

function model(): PopulationModel {
  return new PopulationModel({
    theta: { tcl: 0.5, tv: 2.5 },
    omega: { diagonal: { cl: 0.2, v: 0.2 } },
    residual: { type: 'additive', additive: 0.5 },
    individualNames: ['cl', 'v'],
    individual: (theta, eta, _cov, phi) => {
      phi[0] = Math.exp(theta.tcl + eta.cl);
      phi[1] = Math.exp(theta.tv + eta.v);
    },
  });
}

describe('population fits', () => {
  it('log-Cholesky Ω round-trips a full block', () => {
    const m = new PopulationModel({
      theta: { a: 1 },
      omega: {
        names: ['x', 'y', 'z'],
        block: [
          [0.5, 0.1, -0.05],
          [0.1, 0.3, 0.02],
          [-0.05, 0.02, 0.2],
        ],
      },
      residual: { type: 'combined-variance', additive: 0.1, proportional: 0.2 },
      individualNames: ['a'],
      individual: () => {},
    });
    const x = m.initial();
    expect(x.length).toBe(1 + 6 + 2);
    const omega = m.omega(x);
    const expected = [0.5, 0.1, -0.05, 0.1, 0.3, 0.02, -0.05, 0.02, 0.2];
    for (let i = 0; i < 9; i++) expect(omega[i]).toBeCloseTo(expected[i], 14);
    expect(m.residual(x)).toEqual({
      type: 'combined-variance',
      additive: expect.closeTo(0.1, 14),
      proportional: expect.closeTo(0.2, 14),
    });
  });

  it('FOCEI recovers the simulated population (200 subjects)', () => {
    const subjects = simulate(11, 200, 0.2);
    const fit = fitPopulation(model(), subjects, { method: 'FOCEI' });
    expect(Math.abs(fit.theta.tcl - Math.log(2))).toBeLessThan(0.06);
    expect(Math.abs(fit.theta.tv - Math.log(20))).toBeLessThan(0.04);
    expect(Math.abs(fit.omega[0] - 0.09) / 0.09).toBeLessThan(0.25);
    expect(Math.abs(fit.omega[3] - 0.04) / 0.04).toBeLessThan(0.3);
    expect(Math.abs(fit.residual.additive! - 0.2) / 0.2).toBeLessThan(0.1);
    // Each estimate within 2.5 standard errors of the truth, and the two SE forms agree.
    const truth: Record<string, number> = {
      tcl: Math.log(2),
      tv: Math.log(20),
      'ω²(cl)': 0.09,
      'ω²(v)': 0.04,
      'residual additive': 0.2,
    };
    for (const e of fit.estimates) {
      expect(Math.abs(e.value - truth[e.name]) / e.se, e.name).toBeLessThan(2.5);
      expect(e.seSandwich / e.se, e.name).toBeGreaterThan(0.6);
      expect(e.seSandwich / e.se, e.name).toBeLessThan(1.6);
    }
    // CWRES of a well-specified model: mean ≈ 0, SD ≈ 1 over 1200 observations.
    const cwres = fit.diagnostics.map((d) => d.cwres);
    const mean = cwres.reduce((s, v) => s + v, 0) / cwres.length;
    const sd = Math.sqrt(cwres.reduce((s, v) => s + (v - mean) ** 2, 0) / (cwres.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(sd - 1)).toBeLessThan(0.1);
    // η shrinkage as defined: 1 − SD(η̂)/ω with the mean-centred N − 1 SD.
    const etas = fit.eta.map((e) => e[0]);
    const m = etas.reduce((s, v) => s + v, 0) / etas.length;
    const s = Math.sqrt(etas.reduce((acc, v) => acc + (v - m) ** 2, 0) / (etas.length - 1));
    expect(fit.etaShrinkage[0]).toBeCloseTo(1 - s / Math.sqrt(fit.omega[0]), 12);
    // AIC/BIC identities.
    expect(fit.aic).toBeCloseTo(fit.objective + 1200 * Math.log(2 * Math.PI) + 2 * 5, 9);
    expect(fit.bic).toBeCloseTo(
      fit.objective + 1200 * Math.log(2 * Math.PI) + 5 * Math.log(1200),
      9,
    );
  });

  it('FO, FOCE and Laplace fit the same data close to FOCEI (additive error)', () => {
    const subjects = simulate(5, 40, 0.2);
    const focei = fitPopulation(model(), subjects, { method: 'FOCEI', covariance: false });
    const foce = fitPopulation(model(), subjects, { method: 'FOCE', covariance: false });
    const laplace = fitPopulation(model(), subjects, { method: 'Laplace', covariance: false });
    const fo = fitPopulation(model(), subjects, { method: 'FO', covariance: false });
    // Additive error: FOCE and FOCEI are the same objective; Laplace (expected Hessian) too.
    expect(Math.abs(foce.objective - focei.objective)).toBeLessThan(1e-3);
    expect(Math.abs(laplace.objective - focei.objective)).toBeLessThan(1e-3);
    expect(Math.abs(fo.theta.tcl - focei.theta.tcl)).toBeLessThan(0.1);
    expect(fo.objective).not.toBeCloseTo(focei.objective, 1);
  });
});

describe('bounded fixed effects', () => {
  it('map through log/logit so every x is inside the bounds, and report natural values', () => {
    const m = new PopulationModel({
      theta: {
        f: { value: 0.7, lower: 0, upper: 1 },
        cl: { value: 2, lower: 0 },
        d: { value: -1, upper: 0 },
        free: 3,
      },
      omega: { diagonal: { cl: 0.1 } },
      residual: { type: 'additive', additive: 0.1 },
      individualNames: ['cl'],
      individual: () => {},
    });
    const x = m.initial();
    const expected = [Math.log(0.7 / 0.3), Math.log(2), Math.log(1), 3];
    expected.forEach((v, i) => expect(x[i]).toBeCloseTo(v, 14));
    for (const z of [-40, -3, 0, 5, 40]) {
      x.fill(z, 0, 4);
      const t = m.theta(x);
      expect(t.f).toBeGreaterThanOrEqual(0);
      expect(t.f).toBeLessThanOrEqual(1);
      expect(t.cl).toBeGreaterThanOrEqual(0);
      expect(t.d).toBeLessThanOrEqual(0);
    }
    expect(
      () => new PopulationModel({ ...m.spec, theta: { f: { value: 1.2, lower: 0, upper: 1 } } }),
    ).toThrow(/initial θ 'f' = 1.2 must lie strictly inside its bounds \(0, 1\)/);
  });

  it('fit on the natural scale: a bounded θ recovers the truth and its SE is natural-scale', () => {
    const subjects = simulate(11, 60, 0.2);
    const bounded = new PopulationModel({
      ...model().spec,
      theta: { tcl: { value: 0.5, lower: -2, upper: 3 }, tv: 2.5 },
    });
    const a = fitPopulation(bounded, subjects, { method: 'FOCEI' });
    const b = fitPopulation(model(), subjects, { method: 'FOCEI' });
    expect(Math.abs(a.theta.tcl - b.theta.tcl)).toBeLessThan(1e-3);
    expect(Math.abs(a.objective - b.objective)).toBeLessThan(1e-4);
    const seA = a.estimates.find((e) => e.name === 'tcl')!.se;
    const seB = b.estimates.find((e) => e.name === 'tcl')!.se;
    expect(Math.abs(seA / seB - 1)).toBeLessThan(0.05);
  });
});

describe('lognormal residual error', () => {
  /** Subjects with y = f·exp(ε), ε ~ N(0, sd²): lognormal error of SD sd on the log scale. */
  function lognormalSubjects(seed: number, count: number, sd: number): PopulationSubject[] {
    const rng = new Rng(seed);
    return simulate(seed, count, 0).map((s) => {
      const observations = Array.from(s.observations, (y) => y * Math.exp(sd * rng.normal()));
      return { ...s, observations };
    });
  }
  const lognormal = (): PopulationModel =>
    new PopulationModel({ ...model().spec, residual: { type: 'lognormal', additive: 0.3 } });

  it('compares log DV with log prediction (was: the natural DV against log f)', () => {
    const subjects = lognormalSubjects(21, 60, 0.15);
    const fit = fitPopulation(lognormal(), subjects, { method: 'FOCEI', covariance: false });
    expect(Math.abs(fit.theta.tcl - Math.log(2))).toBeLessThan(0.1);
    expect(Math.abs(fit.theta.tv - Math.log(20))).toBeLessThan(0.06);
    expect(Math.abs(fit.residual.additive! - 0.15) / 0.15).toBeLessThan(0.1);
    // Diagnostics on the log scale: DV is log y, IWRES = (log y − log IPRED)/a.
    const d = fit.diagnostics[0];
    expect(d.dv).toBe(Math.log(subjects[0].observations[0]));
    expect(d.iwres).toBeCloseTo((d.dv - d.ipred) / fit.residual.additive!, 9);
  });

  it('the joint objective of a subject is Σ ln a² + (ln y − ln f)²/a²', () => {
    const [subject] = lognormalSubjects(3, 1, 0.2);
    const m = lognormal();
    const objective = new JointObjective(m, [subject], m.initial(), {
      eta: 'zero',
      residual: 'fixed',
    });
    const f = new Float64Array(TIMES.length);
    subject.predict(Float64Array.of(Math.exp(0.5), Math.exp(2.5)), f);
    let expected = 0;
    for (let j = 0; j < TIMES.length; j++)
      expected += Math.log(0.09) + (Math.log(subject.observations[j]) - Math.log(f[j])) ** 2 / 0.09;
    expect(objective.value(objective.initial())).toBeCloseTo(expected, 10);
  });
});
