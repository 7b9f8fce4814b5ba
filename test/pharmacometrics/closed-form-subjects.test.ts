// Data records → population subjects with closed-form predictions: the Theophylline objective
// equals the hand-written superposition's, and ADDL doses with a lag time from φ are applied.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  closedFormSubjects,
  ClosedFormOneCompartmentOral,
  PopulationObjective,
  readNonmemData,
} from '../../src/index.ts';
import {
  THEOPHYLLINE_CSV,
  theophyllineModel,
  theophyllineSubjects,
} from '../../examples/theophylline-model.ts';

const setOral = (m: ClosedFormOneCompartmentOral, phi: Float64Array): void =>
  m.setParameters({ ka: phi[0], cl: phi[1], v: phi[2] });

describe('closed-form subjects from data', () => {
  it('give the Theophylline objective of the hand-written superposition', () => {
    const records = readNonmemData(readFileSync(THEOPHYLLINE_CSV, 'utf8')).subjects;
    const subjects = closedFormSubjects(records, {
      create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
      setParameters: setOral,
      observedCmt: 2,
    });
    const model = theophyllineModel();
    const a = new PopulationObjective(model, subjects, 'FOCEI').value(model.initial());
    const b = new PopulationObjective(model, theophyllineSubjects(), 'FOCEI').value(
      model.initial(),
    );
    // Two evaluations of the same function in different orders; η derivatives by differences
    // (step 1e-6) turn their rounding into ~1e-9 relative.
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
  });

  it('apply ADDL/II and a lag time computed from φ', () => {
    const csv = [
      'ID,TIME,DV,AMT,ADDL,II,CMT',
      '1,0,.,100,2,12,1',
      '1,6,1,.,.,.,2',
      '1,18,1,.,.,.,2',
      '1,30,1,.,.,.,2',
    ].join('\n');
    const [subject] = closedFormSubjects(readNonmemData(csv).subjects, {
      create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
      setParameters: setOral,
      modifiers: (phi) => ({ lag: { 1: phi[3] } }),
    });
    const phi = new Float64Array([1.2, 3, 30, 0.75]);
    const f = new Float64Array(3);
    subject.predict(phi, f);
    const [ka, cl, v, lag] = phi;
    const k = cl / v;
    [6, 18, 30].forEach((t, j) => {
      let c = 0;
      for (const doseTime of [0, 12, 24]) {
        const s = t - doseTime - lag;
        if (s > 0) c += ((100 * ka) / (v * (ka - k))) * (Math.exp(-k * s) - Math.exp(-ka * s));
      }
      expect(f[j]).toBeCloseTo(c, 12);
    });
  });

  it('refuse observations of a compartment the closed form does not predict', () => {
    const csv = ['ID,TIME,DV,AMT,CMT', '1,0,.,100,1', '1,2,3,.,1'].join('\n');
    expect(() =>
      closedFormSubjects(readNonmemData(csv).subjects, {
        create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
        setParameters: setOral,
        observedCmt: 2,
      }),
    ).toThrow(/subject 1, row 3: observation in CMT 1, but the model predicts CMT 2 only/);
  });
});
