// Data records → population subjects predicting through an ODE model: the Theophylline objective
// equals the closed form's, ∂f/∂φ from forward sensitivities equals central differences, and
// infusions, boluses and resets are crossed exactly and steady-state doses computed by iteration
// (against the closed form).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ClosedFormOneCompartmentOral,
  closedFormSubjects,
  odeSubjects,
  PopulationModel,
  readNonmemData,
} from '../../src/index.ts';
import { ClosedFormOneCompartment, PopulationObjective } from '../../src/pharmacometrics/index.ts';
import { oneCompartmentIv } from '../../models/pk/one-compartment-iv.ts';
import { oneCompartmentOral } from '../../models/pk/one-compartment-oral.ts';
import {
  THEOPHYLLINE_CSV,
  theophyllineModel,
  theophyllineSubjects,
} from '../../examples/theophylline-model.ts';

const records = readNonmemData(readFileSync(THEOPHYLLINE_CSV, 'utf8')).subjects;

function subjects() {
  const model = oneCompartmentOral();
  return odeSubjects(records, {
    model,
    parameters: ['ka', 'cl', 'v'],
    observe: model.observation({ conc: 'central/v' }),
  });
}

describe('ODE subjects from data', () => {
  it('give the closed form’s Theophylline objective', () => {
    const model = theophyllineModel();
    const x = model.initial();
    const ode = new PopulationObjective(model, subjects(), 'FOCEI').value(x);
    const closed = new PopulationObjective(model, theophyllineSubjects(), 'FOCEI').value(x);
    expect(Math.abs(ode - closed)).toBeLessThan(1e-5);
  });

  it('have exact ∂f/∂φ (forward sensitivities vs central differences)', () => {
    const subject = subjects()[4];
    const n = subject.times.length;
    const phi = new Float64Array([1.7, 2.9, 33]);
    const f = new Float64Array(n);
    const jacobian = new Float64Array(n * 3);
    subject.predictWithJacobian!(phi, f, jacobian);
    const reference = new Float64Array(n);
    subject.predict(phi, reference);
    for (let j = 0; j < n; j++) expect(Math.abs(f[j] - reference[j])).toBeLessThan(1e-8);
    const up = new Float64Array(n);
    const down = new Float64Array(n);
    for (let a = 0; a < 3; a++) {
      const h = 1e-5 * phi[a];
      const shifted = phi.slice();
      shifted[a] = phi[a] + h;
      subject.predict(shifted, up);
      shifted[a] = phi[a] - h;
      subject.predict(shifted, down);
      for (let j = 0; j < n; j++) {
        const numeric = (up[j] - down[j]) / (2 * h);
        expect(Math.abs(jacobian[j * 3 + a] - numeric)).toBeLessThan(
          1e-6 * (1 + Math.abs(numeric)),
        );
      }
    }
  });

  it('cross infusions, boluses and a reset exactly: the closed form’s predictions, exact ∂f/∂φ', () => {
    // A 2 h infusion at 50 mg/h, a bolus during it, an overlapping infusion given by duration,
    // then EVID 4 (reset and dose) and a last infusion across observations.
    const csv = [
      'ID,TIME,DV,AMT,RATE,DUR,EVID,CMT',
      '1,0,.,100,50,.,1,1',
      '1,0.5,1,.,.,.,0,1',
      '1,1,.,40,.,.,1,1',
      '1,1.5,1,.,.,.,0,1',
      '1,1.75,.,60,.,3,1,1',
      '1,3,1,.,.,.,0,1',
      '1,6,1,.,.,.,0,1',
      '1,10,.,80,40,.,4,1',
      '1,10.5,1,.,.,.,0,1',
      '1,11,1,.,.,.,0,1',
      '1,14,1,.,.,.,0,1',
    ].join('\n');
    const records = readNonmemData(csv, { compartments: 1 }).subjects;
    const model = oneCompartmentIv();
    const [ode] = odeSubjects(records, {
      model,
      parameters: ['cl', 'v'],
      observe: model.observation({ conc: 'central/v' }),
    });
    const [closed] = closedFormSubjects(records, {
      create: () => new ClosedFormOneCompartment({ cl: 1, v: 1 }),
      setParameters: (m, phi) => m.setParameters({ cl: phi[0], v: phi[1] }),
    });
    const n = ode.times.length;
    expect(n).toBe(7);
    const phi = new Float64Array([4.2, 31]);
    const f = new Float64Array(n);
    const reference = new Float64Array(n);
    const jacobian = new Float64Array(n * 2);
    ode.predictWithJacobian!(phi, f, jacobian);
    closed.predict(phi, reference);
    for (let j = 0; j < n; j++)
      expect(Math.abs(f[j] - reference[j]), `obs ${j}`).toBeLessThan(1e-8 * reference[j]);
    const up = new Float64Array(n);
    const down = new Float64Array(n);
    for (let a = 0; a < 2; a++) {
      const h = 1e-5 * phi[a];
      const shifted = phi.slice();
      shifted[a] = phi[a] + h;
      closed.predict(shifted, up);
      shifted[a] = phi[a] - h;
      closed.predict(shifted, down);
      for (let j = 0; j < n; j++) {
        const numeric = (up[j] - down[j]) / (2 * h);
        expect(Math.abs(jacobian[j * 2 + a] - numeric), `∂f${j}/∂φ${a}`).toBeLessThan(
          1e-6 * (1 + Math.abs(numeric)),
        );
      }
    }
  });

  it('compute steady-state doses by iteration: the closed form’s predictions and FOCEI objective', () => {
    // SS 1 boluses every 12 h, then an SS 2 infusion on top, observed over two intervals.
    const csv = [
      'ID,TIME,DV,AMT,RATE,II,SS,CMT',
      '1,0,.,100,0,12,1,1',
      '1,1,3.1,.,.,.,.,1',
      '1,6,1.9,.,.,.,.,1',
      '1,11.5,1.2,.,.,.,.,1',
      '1,12,.,100,0,.,.,1',
      '1,14,3.3,.,.,.,.,1',
      '1,24,.,50,25,12,2,1',
      '1,25,3.5,.,.,.,.,1',
      '1,30,2.2,.,.,.,.,1',
      '2,0,.,80,0,12,1,1',
      '2,2,2.4,.,.,.,.,1',
      '2,8,1.3,.,.,.,.,1',
    ].join('\n');
    const records = readNonmemData(csv, { compartments: 1 }).subjects;
    const model = oneCompartmentIv();
    const ode = odeSubjects(records, {
      model,
      parameters: ['cl', 'v'],
      observe: model.observation({ conc: 'central/v' }),
    });
    const closed = closedFormSubjects(records, {
      create: () => new ClosedFormOneCompartment({ cl: 1, v: 1 }),
      setParameters: (m, phi) => m.setParameters({ cl: phi[0], v: phi[1] }),
    });
    expect(ode[0].predictWithJacobian).toBeUndefined();
    const phi = new Float64Array([4.2, 31]);
    for (let s = 0; s < 2; s++) {
      const n = ode[s].times.length;
      const [a, b] = [ode[s], closed[s]].map((subject) => {
        const f = new Float64Array(n);
        subject.predict(phi, f);
        return f;
      });
      for (let j = 0; j < n; j++)
        expect(Math.abs(a[j] - b[j]), `subject ${s + 1}, obs ${j}`).toBeLessThan(1e-9 * b[j]);
    }
    const population = new PopulationModel({
      theta: { tcl: Math.log(4), tv: Math.log(30) },
      omega: { diagonal: { cl: 0.1, v: 0.1 } },
      residual: { type: 'additive', additive: 0.3 },
      individual: { cl: 'exp(tcl + eta.cl)', v: 'exp(tv + eta.v)' },
    });
    const x = population.initial();
    const odeValue = new PopulationObjective(population, ode, 'FOCEI').value(x);
    const closedValue = new PopulationObjective(population, closed, 'FOCEI').value(x);
    expect(Math.abs(odeValue - closedValue)).toBeLessThan(1e-6 * Math.abs(closedValue));
  });
});

describe('ODE subjects: dose and record times a rounding error apart (issue 17, defect 9)', () => {
  it('an ADDL dose a rounding error after the last observation counts whether or not later data exist', () => {
    // 3·0.8 = 2.4000000000000004: the last ADDL dose lands a rounding error after the record at
    // 2.4. The solver merges the two times; the schedule, expanded up to the last observation,
    // used to drop that dose when 2.4 was the last one (7.82) but keep it otherwise (11.05).
    const data = (later: boolean) =>
      [
        'ID,TIME,DV,AMT,II,ADDL,EVID,CMT',
        '1,0,.,100,0.8,3,1,1',
        '1,1,2,.,.,.,0,1',
        '1,2.4,2,.,.,.,0,1',
        ...(later ? ['1,6,1,.,.,.,0,1'] : []),
      ].join('\n');
    const predictAt24 = (later: boolean): number => {
      const model = oneCompartmentIv();
      const [subject] = odeSubjects(readNonmemData(data(later), { compartments: 1 }).subjects, {
        model,
        parameters: ['cl', 'v'],
        observe: model.observation({ conc: 'central/v' }),
      });
      const f = new Float64Array(subject.times.length);
      subject.predict(new Float64Array([4.2, 31]), f);
      return f[1];
    };
    const closedFormAt24 = (later: boolean): number => {
      const [subject] = closedFormSubjects(
        readNonmemData(data(later), { compartments: 1 }).subjects,
        {
          create: () => new ClosedFormOneCompartment({ cl: 1, v: 1 }),
          setParameters: (m, phi) => m.setParameters({ cl: phi[0], v: phi[1] }),
        },
      );
      const f = new Float64Array(subject.times.length);
      subject.predict(new Float64Array([4.2, 31]), f);
      return f[1];
    };
    const withLater = predictAt24(true);
    expect(predictAt24(false)).toBeCloseTo(withLater, 9);
    // The closed form merges the times too (it left the dose out: 7.82).
    expect(closedFormAt24(false)).toBeCloseTo(withLater, 9);
    expect(closedFormAt24(true)).toBeCloseTo(withLater, 9);
    // Four doses of 100 at 0, 0.8, 1.6 and 2.4 (the last one given): superposition.
    const k = 4.2 / 31;
    const exact = [0, 0.8, 1.6, 2.4].reduce((c, t) => c + (100 / 31) * Math.exp(-k * (2.4 - t)), 0);
    expect(withLater).toBeCloseTo(exact, 6);
  });

  // A dose at 2.4000000000000004 (0.3 added eight times, as an ADDL expansion may give) beside
  // an observation at 2.4: the solvers used to fail with DtLessThanMin and predict returned NaN.
  const csv = (late: string) =>
    [
      'ID,TIME,DV,AMT,EVID,CMT',
      '7,0,.,100,1,1',
      '7,1,2.5,.,0,2',
      '7,2.4,2.9,.,0,2',
      `7,${late},.,50,1,1`,
      '7,3,3.1,.,0,2',
      '7,6,2.2,.,0,2',
    ].join('\n');
  const build = (late: string, method?: 'Tsit5') => {
    const model = oneCompartmentOral();
    return odeSubjects(readNonmemData(csv(late), { compartments: 2 }).subjects, {
      model,
      parameters: ['ka', 'cl', 'v'],
      observe: model.observation({ conc: 'central/v' }),
      ...(method ? { method } : {}),
    })[0];
  };
  const phi = new Float64Array([1.4, 3.5, 28]);

  it('predict and predictWithJacobian give the merged-time predictions (the closed form’s)', () => {
    const [near, merged] = [build('2.4000000000000004'), build('2.4')];
    const n = near.times.length;
    const [f, g, fj, gj] = [0, 1, 2, 3].map(() => new Float64Array(n));
    const [J, K] = [0, 1].map(() => new Float64Array(n * 3));
    near.predict(phi, f);
    merged.predict(phi, g);
    near.predictWithJacobian!(phi, fj, J);
    merged.predictWithJacobian!(phi, gj, K);
    const [ka, cl, v] = phi;
    const k = cl / v;
    const oral = (amount: number, s: number) =>
      s < 0 ? 0 : ((amount * ka) / (v * (ka - k))) * (Math.exp(-k * s) - Math.exp(-ka * s));
    [1, 2.4, 3, 6].forEach((t, j) => {
      expect(Math.abs(f[j] - g[j]), `obs ${j}`).toBeLessThan(1e-10 * g[j]);
      expect(Math.abs(fj[j] - gj[j]), `obs ${j}`).toBeLessThan(1e-10 * g[j]);
      // The observation at 2.4 sees the dose given then (a dose before an observation).
      expect(Math.abs(f[j] - (oral(100, t) + oral(50, t - 2.4))), `obs ${j}`).toBeLessThan(1e-8);
    });
    for (let q = 0; q < J.length; q++)
      expect(Math.abs(J[q] - K[q]), `J[${q}]`).toBeLessThan(1e-10 * (1 + Math.abs(K[q])));
  });

  it('a failed solve throws SolverFailed naming the subject, the time reached and the reason', () => {
    // ka = 1e6 makes the depot stiff: Tsit5 stops (return code Stiff) — it used to give NaN.
    const subject = build('2.4000000000000004', 'Tsit5');
    const f = new Float64Array(subject.times.length);
    const stiff = new Float64Array([1e6, 3.5, 28]);
    expect(() => subject.predict(stiff, f)).toThrow(
      /subject 7: the ODE solve failed at t = [\d.e-]+ of 0 → 6 \(Stiff\): the problem is stiff/,
    );
    expect(() => subject.predictWithJacobian!(stiff, f, new Float64Array(f.length * 3))).toThrow(
      /subject 7: the forward sensitivity solve failed \(Stiff\): the problem is stiff: .* up to t = /,
    );
  });
});

describe('ODE subjects: observations in more than one compartment (issue 17, defect 10)', () => {
  // Depot (CMT 1) and central (CMT 2) observed, some at the same time.
  const csv = [
    'ID,TIME,DV,AMT,EVID,CMT',
    '3,0,.,100,1,1',
    '3,0.5,48,.,0,1',
    '3,0.5,1.9,.,0,2',
    '3,1,2.8,.,0,2',
    '3,2,8.1,.,0,1',
    '3,4,2.4,.,0,2',
  ].join('\n');
  const records = readNonmemData(csv, { compartments: 2 }).subjects;
  const model = oneCompartmentOral();
  const phi = new Float64Array([1.4, 3.5, 28]);

  it('predict each observation by its compartment’s output: the closed forms of depot and central', () => {
    const [subject] = odeSubjects(records, {
      model,
      parameters: ['ka', 'cl', 'v'],
      observe: model.observation({ depot: 'depot', conc: 'central/v' }),
      outputs: { 1: 'depot', 2: 'conc' },
    });
    const n = subject.times.length;
    expect(n).toBe(5);
    const f = new Float64Array(n);
    const fj = new Float64Array(n);
    const J = new Float64Array(n * 3);
    subject.predict(phi, f);
    subject.predictWithJacobian!(phi, fj, J);
    const [ka, cl, v] = phi;
    const k = cl / v;
    const depot = (t: number) => 100 * Math.exp(-ka * t);
    const conc = (t: number) =>
      ((100 * ka) / (v * (ka - k))) * (Math.exp(-k * t) - Math.exp(-ka * t));
    const expected = [depot(0.5), conc(0.5), conc(1), depot(2), conc(4)];
    for (let j = 0; j < n; j++) {
      expect(Math.abs(f[j] - expected[j]), `obs ${j}`).toBeLessThan(1e-8 * expected[j]);
      expect(Math.abs(fj[j] - expected[j]), `obs ${j}`).toBeLessThan(1e-8 * expected[j]);
    }
    // ∂f/∂φ per observation against central differences (∂depot/∂cl = 0).
    const up = new Float64Array(n);
    const down = new Float64Array(n);
    for (let a = 0; a < 3; a++) {
      const h = 1e-5 * phi[a];
      const shifted = phi.slice();
      shifted[a] = phi[a] + h;
      subject.predict(shifted, up);
      shifted[a] = phi[a] - h;
      subject.predict(shifted, down);
      for (let j = 0; j < n; j++) {
        const numeric = (up[j] - down[j]) / (2 * h);
        expect(Math.abs(J[j * 3 + a] - numeric), `∂f${j}/∂φ${a}`).toBeLessThan(
          1e-6 * (1 + Math.abs(numeric)),
        );
      }
    }
    expect(Math.abs(J[3 * 3 + 1])).toBeLessThan(1e-12);
  });

  it('refuse observations in two compartments without a map, and a CMT the map does not name', () => {
    expect(() =>
      odeSubjects(records, {
        model,
        parameters: ['ka', 'cl', 'v'],
        observe: model.observation({ conc: 'central/v' }),
      }),
    ).toThrow(
      /subject 3, row 4 \(TIME 0\.5\): observation in CMT 2, but subject 3, row 3 \(TIME 0\.5\) is in CMT 1 and odeSubjects predicts every observation by conc: map each compartment to an output of observe, e\.g\. outputs: \{ 1: '…', 2: '…' \}/,
    );
    expect(() =>
      odeSubjects(records, {
        model,
        parameters: ['ka', 'cl', 'v'],
        observe: model.observation({ conc: 'central/v' }),
        outputs: { 2: 'conc' },
      }),
    ).toThrow(
      /subject 3, row 3 \(TIME 0\.5\): observation in CMT 1, which outputs does not map to an output of observe \(it maps CMT 2\)/,
    );
    expect(() =>
      odeSubjects(records, {
        model,
        parameters: ['ka', 'cl', 'v'],
        observe: model.observation({ conc: 'central/v' }),
        outputs: { 1: 'amount', 2: 'conc' },
      }),
    ).toThrow(/outputs: CMT 1 maps to "amount", which is not an output of observe \(conc\)/);
    // The closed form predicts the central compartment only: a depot observation is refused.
    expect(() =>
      closedFormSubjects(records, {
        create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
        setParameters: (m, p) => m.setParameters({ ka: p[0], cl: p[1], v: p[2] }),
      }),
    ).toThrow(/subject 3, row 3: observation in CMT 1, but the model predicts CMT 2 only/);
  });
});
