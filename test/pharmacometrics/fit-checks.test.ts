// Degenerate population fits say what is wrong instead of reporting success: data that cannot be
// fitted and parameters the objective cannot depend on are errors naming them; a stop short of
// convergence has its reason (naming the subject, observation and parameters where predictions
// stopped being finite); a covariance step that cannot give standard errors says why.
import { describe, expect, it } from 'vitest';
import {
  fitPopulation,
  PopulationModel,
  Report,
  ScichainError,
  visualPredictiveCheck,
} from '../../src/index.ts';
import { addPopulationSections } from '../../src/report/index.ts';
import { fitIndividuals, fitNaivePooled } from '../../src/pharmacometrics/index.ts';
import { theophyllineModel, theophyllineSubjects } from '../../examples/theophylline-model.ts';
import { edgeSubjects, model, subjects, TIMES } from './helpers/degenerate-fits.ts';

describe('data that cannot be fitted', () => {
  it('no subject with observations is an error naming them (was: converged, estimates = start)', () => {
    expect(() => fitPopulation(model(), subjects(4, []), { method: 'FOCEI' })).toThrow(
      'no subject has observations (4 subjects: S1, S2, S3, S4): there is nothing to fit',
    );
  });

  it('subjects without observations among others are a warning naming them', () => {
    const some = subjects(8);
    const none = subjects(2, []).map((s, i) => ({ ...s, id: `E${i + 1}` }));
    const fit = fitPopulation(model(), [...some, ...none], { method: 'FOCEI', covariance: false });
    expect(fit.warnings).toContain(
      'subjects E1, E2 have no observations: they add nothing to the objective',
    );
    expect(fit.observationCount).toBe(48);
  });

  it('one subject with observations: η shrinkage is NaN with the reason (was: NaN, silently)', () => {
    const fit = fitPopulation(
      model(),
      [...subjects(1), ...subjects(2, [])].map((s, i) => ({ ...s, id: `S${i + 1}` })),
      {
        method: 'FOCEI',
        covariance: false,
        maxIterations: 5,
      },
    );
    expect(Array.from(fit.etaShrinkage)).toEqual([NaN, NaN]);
    expect(fit.warnings).toContain(
      'only one subject has observations: it cannot determine Ω, and η shrinkage is undefined (NaN)',
    );
    expect(Number.isFinite(fit.epsilonShrinkage)).toBe(true);
  });

  it('PRED that cannot be computed is NaN with a warning naming the subject (was: silent NaN)', () => {
    // S1 clears slowly (cl = 1) and its predictions are NaN past cl = 1.9; the others clear at
    // about 2.6, so the typical subject (η = 0) of the estimate is past S1's edge.
    const data = subjects(8, TIMES, (phi, id) => id === 'S1' && phi[0] > 1.9).map((s, i) => ({
      ...s,
      observations: TIMES.map((t) => (100 / 20) * Math.exp((-(i === 0 ? 1 : 2.6) / 20) * t)).map(
        (y, j) => y * (1 + 0.05 * Math.sin(3 * i + j)),
      ),
    }));
    const fit = fitPopulation(model(), data, { method: 'FOCEI', covariance: false });
    expect(fit.theta.tcl).toBeGreaterThan(Math.log(1.9));
    const s1 = fit.diagnostics.filter((d) => d.id === 'S1');
    for (const d of s1) {
      expect(d.pred).toBeNaN();
      expect(Number.isFinite(d.ipred)).toBe(true);
    }
    expect(fit.warnings).toContain(
      'PRED (η = 0) is NaN for subject S1: subject S1, observation 1 (time 0.5): the prediction is NaN',
    );
  });

  it('identical DVs are an error naming the value (was: tcl −16.2, tka 15.6 as a success)', () => {
    const constant = theophyllineSubjects('closed-form').map((s) => ({
      ...s,
      observations: Float64Array.from(s.observations, () => 5),
    }));
    expect(() => fitPopulation(theophyllineModel(), constant, { method: 'FOCEI' })).toThrow(
      "every observation (132 in all) is 5: data without variation determine neither the model's parameters nor its residual error",
    );
  });

  it('a non-finite DV and a lognormal DV ≤ 0 are errors naming subject, observation and time', () => {
    const bad = subjects(3);
    bad[1] = { ...bad[1], observations: [1, 2, NaN, 1, 1, 1] };
    expect(() => fitPopulation(model(), bad, { method: 'FOCEI' })).toThrow(
      'subject S2, observation 3 (time 2): DV is NaN',
    );
    const lognormal = new PopulationModel({
      ...model().spec,
      residual: { type: 'lognormal', additive: 0.2 },
    });
    const zero = subjects(3);
    zero[2] = { ...zero[2], observations: [1, 2, 3, 0, 1, 1] };
    expect(() => fitPopulation(lognormal, zero, { method: 'FOCEI' })).toThrow(
      'subject S3, observation 4 (time 4): DV is 0, but lognormal error compares logs and needs DV > 0',
    );
  });
});

describe('parameters the objective cannot depend on', () => {
  it('a θ no individual parameter uses is an error (was: all SE NaN, no reason); fixed, it fits', () => {
    const unused = model({ tcl: 0.5, tv: 2.5, tka: 1 });
    expect(() => fitPopulation(unused, subjects(8), { method: 'FOCEI' })).toThrow(
      "θ 'tka' is used by no individual parameter (cl, v): the objective does not depend on it, so it cannot be estimated — remove it, or hold it with fixed: ['tka']",
    );
    const fit = fitPopulation(unused, subjects(8), { method: 'FOCEI', fixed: ['tka'] });
    expect(fit.stopReason).toBe('converged');
    expect(fit.covariance.status).toBe('ok');
    const se = Object.fromEntries(fit.estimates.map((e) => [e.name, e.se]));
    expect(se.tcl).toBeGreaterThan(0.01);
    expect(se.tcl).toBeLessThan(0.1);
    expect(se.tka).toBeNaN(); // held: no standard error, by design
  });

  it('an η no individual parameter uses is an error', () => {
    const m = new PopulationModel({
      theta: { tcl: 0.5, tv: 2.5 },
      omega: { diagonal: { cl: 0.2, v: 0.2, ka: 0.3 } },
      residual: { type: 'additive', additive: 0.5 },
      individual: { cl: 'exp(tcl + eta.cl)', v: 'exp(tv + eta.v)' },
    });
    expect(() => fitPopulation(m, subjects(8), { method: 'FOCEI' })).toThrow(
      "random effect 'ka' moves no individual parameter (cl, v): its variance ω²(ka) cannot be estimated",
    );
  });

  it('a θ whose derivative vanishes at the start is not taken for an unused one', () => {
    // tk is used, through a product that is zero while tcl is at its start.
    const m = new PopulationModel({
      theta: { tcl: 0.5, tv: 2.5, tk: 0 },
      omega: { diagonal: { cl: 0.2, v: 0.2 } },
      residual: { type: 'additive', additive: 0.5 },
      individualNames: ['cl', 'v'],
      individual: (theta, eta, _cov, phi) => {
        phi[0] = Math.exp(theta.tcl + theta.tk * (theta.tcl - 0.5) + eta.cl);
        phi[1] = Math.exp(theta.tv + eta.v);
      },
    });
    const fit = fitPopulation(m, subjects(8), {
      method: 'FOCEI',
      covariance: false,
      maxIterations: 3,
    });
    expect(fit.iterations).toBe(3);
  });
});

describe('how a fit stops', () => {
  it('predictions turning NaN mid-fit stop with nonFiniteObjective naming subject, time and θ', () => {
    // Predictions are NaN once an individual clearance exceeds 1.9 (the data want about 2): the
    // start (cl = e^0.5 = 1.65) is fine, the fit runs into the edge.
    const data = subjects(8, TIMES, (phi) => phi[0] > 1.9);
    const fit = fitPopulation(model(), data, { method: 'FO' });
    expect(fit.converged).toBe(false);
    expect(fit.stopReason).toBe('nonFiniteObjective');
    expect(fit.stopMessage).toMatch(
      /^stopped after \d+ iterations with gradient ∞-norm [\d.e+-]+ > 0\.0001: the objective is not finite at tcl = [\d.]+, tv = [\d.]+, ω²\(cl\) = [\d.]+, ω²\(v\) = [\d.]+, residual additive = [\d.]+, where subject S\d, observation 1 \(time 0\.5\): (the prediction|∂f\/∂η of the prediction) is NaN; the line search could not get past it$/,
    );
    expect(fit.warnings[0]).toBe(fit.stopMessage);
    // Its standard errors are NaN, and the covariance step says why.
    expect(fit.covariance.status).toBe('nonFinite');
    expect(fit.covariance.reason).toMatch(
      /^R \(the Hessian of the objective\) has non-finite entries in the rows of tcl.*: the objective is not finite at points beside the estimate \(subject S\d/,
    );
    expect(fit.estimates[0].se).toBeNaN();
    expect(Number.isFinite(fit.objective)).toBe(true);
  });

  it('a failed solve inside the η̂ search is named by its subject, at the start and mid-fit', () => {
    const solverFailure = (id: string): never => {
      throw new ScichainError('SolverFailed', `subject ${id}: the solve stopped at t = 2`);
    };
    // Always failing for one subject: an error before the fit, naming it and the start.
    const always = subjects(6, TIMES, (_, id) => id === 'S4' && solverFailure(id));
    expect(() => fitPopulation(model(), always, { method: 'FOCEI' })).toThrow(
      'the FOCEI objective is not finite at the initial estimates (tcl = 0.5000, tv = 2.500, ω²(cl) = 0.2000, ω²(v) = 0.2000, residual additive = 0.5000): subject S4: the prediction failed: subject S4: the solve stopped at t = 2',
    );
    // Failing past cl = 1.9: trial points are rejected, and the stop names the failure.
    const edge = subjects(8, TIMES, (phi, id) => phi[0] > 1.9 && solverFailure(id));
    const fit = fitPopulation(model(), edge, { method: 'FO' });
    expect(fit.stopReason).toBe('nonFiniteObjective');
    expect(fit.stopMessage).toMatch(
      /where subject (S\d): the prediction failed: subject \1: the solve stopped at t = 2; the line search could not get past it$/,
    );
  });

  it('a start whose difference gradient is not finite on both sides names the parameter', () => {
    // Predictions exist only within 5e-5 of cl = e^0.5: the start, but neither side of tcl ± 1e-4.
    const narrow = subjects(4, TIMES, (phi) => Math.abs(phi[0] - Math.exp(0.5)) > 5e-5);
    expect(() => fitPopulation(model(), narrow, { method: 'FO' })).toThrow(
      /^the FO objective's difference gradient over tcl is not finite at the initial estimates: the objective is not finite on both sides, e\.g\. at tcl = 0\.4999, .*, where subject S1, observation 1 \(time 0\.5\): the prediction is NaN$/,
    );
  });

  it('maxIterations is a stop reason and a warning, not convergence', () => {
    const fit = fitPopulation(model(), subjects(8), {
      method: 'FOCEI',
      maxIterations: 2,
      covariance: false,
    });
    expect(fit.converged).toBe(false);
    expect(fit.stopReason).toBe('maxIterations');
    expect(fit.stopMessage).toMatch(
      /^stopped after 2 iterations with gradient ∞-norm [\d.e+-]+ > 0\.0001: not converged/,
    );
    expect(fit.warnings).toContain(fit.stopMessage);
    expect(fit.covariance).toMatchObject({
      status: 'skipped',
      reason: 'not asked for (covariance: false)',
    });
  });

  it('a clean fit converges with no warnings and a covariance step that says ok', () => {
    const fit = fitPopulation(model(), subjects(8), { method: 'FOCEI' });
    expect(fit.stopReason).toBe('converged');
    expect(fit.converged).toBe(true);
    expect(fit.stopMessage).toMatch(
      /^converged: gradient ∞-norm [\d.e-]+ ≤ 0\.0001 after \d+ iterations$/,
    );
    expect(fit.warnings).toEqual([]);
    expect(fit.covariance.status).toBe('ok');
    expect(fit.covariance.sandwichStatus).toBe('ok');
    expect(fit.covariance.conditionNumber).toBeGreaterThan(10);
    expect(fit.covariance.conditionNumber).toBeLessThan(1e4);
  });
});

describe('the covariance step', () => {
  it('a singular R names the parameters the data cannot tell apart (was: NaN SEs, no reason)', () => {
    // cl = exp(ta + tb + η): only ta + tb is determined.
    const m = model({ ta: 0.2, tb: 0.3, tv: 2.5 }, 'exp(ta + tb + eta.cl)');
    const fit = fitPopulation(m, subjects(8), { method: 'FOCEI' });
    expect(fit.covariance.status).toBe('singular');
    expect(fit.covariance.reason).toMatch(
      /^R \(the Hessian of the objective\) is singular \(rank 5 of 6: eigenvalue \S+ against the largest \S+, within its numerical error \S+\): the data do not determine 0\.71·t[ab] − 0\.71·t[ab]$/,
    );
    expect(fit.covariance.sandwichStatus).toBe('skipped');
    expect(fit.warnings).toContain(`covariance step failed: ${fit.covariance.reason}`);
    for (const e of fit.estimates) expect(e.se).toBeNaN();
    // The sum is still estimated: ta + tb = log cl of the fit without the redundancy.
    const single = fitPopulation(model(), subjects(8), { method: 'FOCEI', covariance: false });
    expect(Math.abs(fit.theta.ta + fit.theta.tb - single.theta.tcl)).toBeLessThan(1e-3);
  });
});

describe('naive pooled and individual fits', () => {
  it('check their data and say why they stopped', () => {
    expect(() => fitNaivePooled(model(), subjects(3, []))).toThrow(
      'no subject has observations (3 subjects: S1, S2, S3): there is nothing to fit',
    );
    const empty = subjects(1, []).map((s) => ({ ...s, id: 'E1' }));
    expect(() => fitIndividuals(model(), [...subjects(2), ...empty])).toThrow(
      'individual fit of subject E1: no subject has observations (1 subject: E1): there is nothing to fit',
    );
    const pooled = fitNaivePooled(model(), subjects(8));
    expect(pooled.stopReason).toBe('converged');
    expect(pooled.warnings).toEqual([]);
  });

  it('a failed solve at a trial point is rejected and named, not thrown through the fit', () => {
    // Before: the SolverFailed error of the first trial point past cl = 1.9 ended the fit.
    const edge = subjects(8, TIMES, (phi, id) => {
      if (phi[0] > 1.9) throw new ScichainError('SolverFailed', `subject ${id}: solve failed`);
      return false;
    });
    const pooled = fitNaivePooled(model(), edge);
    expect(pooled.converged).toBe(false);
    expect(pooled.stopReason).toBe('nonFiniteObjective');
    expect(pooled.stopMessage).toMatch(
      /where subject (S\d): the prediction failed: subject \1: solve failed; the line search could not get past it$/,
    );
    expect(pooled.theta.tcl).toBeLessThanOrEqual(Math.log(1.9));
    // At the start: an error naming the subject.
    const always = subjects(3, TIMES, (_, id) => {
      if (id === 'S2') throw new ScichainError('SolverFailed', `subject ${id}: solve failed`);
      return false;
    });
    expect(() => fitNaivePooled(model(), always)).toThrow(
      'the objective is not finite at the initial estimates: subject S2: the prediction failed: subject S2: solve failed',
    );
  });
});

describe('the report', () => {
  it('shows the stop, the covariance step and the warnings', () => {
    const m = model({ ta: 0.2, tb: 0.3, tv: 2.5 }, 'exp(ta + tb + eta.cl)');
    const data = subjects(8);
    const fit = fitPopulation(m, data, { method: 'FOCEI', maxIterations: 3 });
    const html = addPopulationSections(new Report('fit'), fit, data).toHtml();
    expect(html).toContain('stopped after 3 iterations with gradient ∞-norm');
    expect(html).toContain('Warnings');
    expect(fit.warnings.length).toBeGreaterThan(0);
    // The report escapes text: compare with the escaped warnings.
    const escape = (t: string): string =>
      t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    for (const w of fit.warnings) expect(html).toContain(escape(w));
  });
});

describe('the sandwich', () => {
  it('a singular S (fewer subjects than parameters) is named, with the Hessian SEs kept', () => {
    const fit = fitPopulation(model(), subjects(3), { method: 'FOCEI' });
    expect(fit.covariance.status).toBe('ok');
    expect(fit.covariance.sandwichStatus).toBe('singular');
    expect(fit.covariance.sandwichReason).toMatch(
      /^S \(the sum of the subjects' score products\) is singular \(rank [23] of 5: .*\): with 3 subjects for 5 parameters, the subjects' scores never move along .*\(and [23] more directions\)$/,
    );
    expect(fit.warnings).toEqual([
      `sandwich standard errors failed: ${fit.covariance.sandwichReason}`,
    ]);
    for (const e of fit.estimates) {
      expect(e.seSandwich).toBeNaN();
      expect(e.se).toBeGreaterThan(0);
    }
  });
});

describe('on worker threads', () => {
  it('the stop reason and the subject at fault are those of one thread', () => {
    const setup = {
      url: new URL('./helpers/degenerate-fits.ts', import.meta.url).href,
      export: 'edgeSetup',
    };
    const one = fitPopulation(model(), edgeSubjects(1.9), { method: 'FO', covariance: false });
    const two = fitPopulation(model(), edgeSubjects(1.9), {
      method: 'FO',
      covariance: false,
      threads: { setup, args: { edge: 1.9 }, threads: 2 },
    });
    expect(two.stopReason).toBe('nonFiniteObjective');
    expect(two.objective).toBe(one.objective);
    expect(two.stopMessage).toBe(one.stopMessage);
    expect(two.stopMessage).toMatch(/where subject S[5-8], observation 1 \(time 0\.5\)/);
  });
});

describe('the visual predictive check', () => {
  it('refuses NaN simulations, NaN DVs and bins without observations, naming them', () => {
    const m = model();
    const x = m.initial();
    // Before: a NaN sorted anywhere and every percentile of its bin was silently wrong.
    const nan = subjects(4, TIMES, (phi) => phi[0] > 2.5);
    expect(() => visualPredictiveCheck(m, x, nan, { replicates: 50 })).toThrow(
      /^VPC replicate \d+: subject S\d: the prediction at time 0\.5 is NaN \(φ: [^)]+, η: [-\d., e]+\)$/,
    );
    const bad = subjects(3);
    bad[2] = { ...bad[2], observations: [1, 2, 3, Infinity, 1, 1] };
    expect(() => visualPredictiveCheck(m, x, bad, { replicates: 5 })).toThrow(
      'VPC: subject S3, observation 4 (time 4): DV is Infinity',
    );
    expect(() =>
      visualPredictiveCheck(m, x, subjects(3), { replicates: 5, binEdges: [0, 3, 3.5, 12] }),
    ).toThrow('VPC: bin 2 (3 to 3.5) has no observations');
    expect(() =>
      visualPredictiveCheck(m, x, subjects(3), { replicates: 5, binEdges: [1, 4, 12] }),
    ).toThrow('VPC: subject S1, observation 1 (time 0.5) lies outside the bin edges 1 to 12');
    expect(() =>
      visualPredictiveCheck(m, x, subjects(3), { replicates: 5, binEdges: [0, 4, 2, 12] }),
    ).toThrow('VPC bin edges must be finite and increasing: edge 3 is 2 after 4');
  });
});
