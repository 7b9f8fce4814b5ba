// Data records → population subjects predicting through an ODE model: the Theophylline objective
// equals the closed form's, ∂f/∂φ from forward sensitivities equals central differences, and
// infusions, boluses and resets are crossed exactly and steady-state doses computed by iteration
// (against the closed form).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ClosedFormOneCompartment,
  closedFormSubjects,
  odeSubjects,
  PopulationModel,
  PopulationObjective,
  readNonmemData,
} from '../../src/index.ts';
import { oneCompartmentIv } from '../../models/pk/one-compartment-iv.ts';
import { oneCompartmentOral } from '../../models/one-compartment-oral.ts';
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
