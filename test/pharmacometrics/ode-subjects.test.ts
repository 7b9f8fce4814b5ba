// Data records → population subjects predicting through an ODE model: the Theophylline objective
// equals the closed form's, and ∂f/∂φ from forward sensitivities equals central differences.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { odeSubjects, PopulationObjective, readNonmemData } from '../../src/index.ts';
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

  it('refuse schedules they cannot differentiate, naming the subject', () => {
    const csv = ['ID,TIME,DV,AMT,RATE,CMT', '1,0,.,100,50,2', '1,3,2,.,.,2'].join('\n');
    const model = oneCompartmentOral();
    expect(() =>
      odeSubjects(readNonmemData(csv).subjects, {
        model,
        parameters: ['ka', 'cl', 'v'],
        observe: model.observation({ conc: 'central/v' }),
      }),
    ).toThrow(/subject 1: odeSubjects handles bolus doses only/);
  });
});
