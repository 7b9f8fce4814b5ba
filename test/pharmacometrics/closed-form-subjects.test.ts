// Data records → population subjects with closed-form predictions: the Theophylline objective
// equals a hand-written superposition's, and ADDL doses with a lag time from φ are applied.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  closedFormSubjects,
  ClosedFormOneCompartmentOral,
  readNonmemData,
} from '../../src/index.ts';
import { PopulationObjective, type PopulationSubject } from '../../src/pharmacometrics/index.ts';
import {
  THEOPHYLLINE_CSV,
  theophyllineModel,
  theophyllineSubjects,
} from '../../examples/theophylline-model.ts';

const setOral = (m: ClosedFormOneCompartmentOral, phi: Float64Array): void =>
  m.setParameters({ ka: phi[0], cl: phi[1], v: phi[2] });

describe('closed-form subjects from data', () => {
  it('give the Theophylline objective of a hand-written superposition', () => {
    const records = readNonmemData(readFileSync(THEOPHYLLINE_CSV, 'utf8')).subjects;
    // The independent reference: single oral doses summed directly, φ = (ka, cl, v).
    const superposed: PopulationSubject[] = records.map((s) => {
      const times = Float64Array.from(s.observations, (o) => o.time);
      return {
        id: s.id,
        times,
        observations: Float64Array.from(s.observations, (o) => o.dv),
        covariates: s.covariates,
        predict(phi: Float64Array, f: Float64Array) {
          const [ka, cl, v] = phi;
          const k = cl / v;
          f.fill(0);
          for (const dose of s.doses) {
            const scale = (dose.amount * ka) / (v * (ka - k));
            for (let j = 0; j < times.length; j++) {
              const t = times[j] - dose.time;
              if (t > 0) f[j] += scale * (Math.exp(-k * t) - Math.exp(-ka * t));
            }
          }
        },
      };
    });
    const model = theophyllineModel();
    // The example's subjects: the library's closed form.
    const a = new PopulationObjective(model, theophyllineSubjects(), 'FOCEI').value(
      model.initial(),
    );
    const b = new PopulationObjective(model, superposed, 'FOCEI').value(model.initial());
    // Two evaluations of the same function in different orders; η derivatives by differences
    // (step 1e-6) turn their rounding into ~1e-9 relative.
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
    expect(a).toBeGreaterThan(100);
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
