// TIME may restart at a reset in the data (NONMEM allows it; the reader keeps data order), but
// predictions put a subject on one time axis: a restart would land the records after the reset
// among the earlier ones. Predictors refuse it naming the subject and row instead.
import { describe, expect, it } from 'vitest';
import { ClosedFormOneCompartmentOral } from '../../../src/pharmacometrics/closed-form/one-compartment.ts';
import { requireContinuousTime } from '../../../src/pharmacometrics/data/continuous-time.ts';
import { closedFormSubjects } from '../../../src/pharmacometrics/estimation/closed-form-subjects.ts';
import { readNonmemData } from '../../../src/pharmacometrics/nonmem-data.ts';
import { designRecords } from '../../../src/pharmacometrics/simulation/design.ts';

const RESTART = [
  'ID,TIME,DV,AMT,CMT,EVID',
  '1,0,.,100,1,1',
  '1,1,1,.,2,0',
  '1,2,1,.,2,0',
  '1,0,.,100,1,4',
  '1,1,1,.,2,0',
].join('\n');

describe('TIME restarting at a reset', () => {
  it('is read in data order, and refused by the closed-form predictions naming subject and row', () => {
    const [subject] = readNonmemData(RESTART).subjects;
    expect(subject.observations.map((o) => o.time)).toEqual([1, 2, 1]);
    expect(() =>
      closedFormSubjects([subject], {
        create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
        setParameters: (m, phi) => m.setParameters({ ka: phi[0], cl: phi[1], v: phi[2] }),
        observedCmt: 2,
      }),
    ).toThrow(
      'subject 1, row 5: TIME 0 goes back from TIME 2 of row 4 (TIME restarts at a reset); ' +
        'closed-form predictions need one time axis per subject — let TIME continue across the reset',
    );
  });

  it('an EVID 3 reset restarting TIME is caught too; continuous TIME and designs pass', () => {
    const [restart] = readNonmemData(
      ['ID,TIME,DV,AMT,EVID', '1,0,.,100,1', '1,5,2,.,0', '1,0,.,.,3', '1,1,3,.,0'].join('\n'),
    ).subjects;
    expect(() => requireContinuousTime(restart, 'the predictions')).toThrow(
      'subject 1, row 4: TIME 0 goes back from TIME 5 of row 3',
    );
    const [continuous] = readNonmemData(
      ['ID,TIME,DV,AMT,EVID', '1,0,.,100,1', '1,5,2,.,0', '1,5,.,.,3', '1,6,3,.,0'].join('\n'),
    ).subjects;
    expect(() => requireContinuousTime(continuous, 'the predictions')).not.toThrow();
    const design = designRecords({ subjects: 1, doses: [{ time: 0, amount: 1 }], times: [1, 2] });
    expect(() => requireContinuousTime(design[0], 'the predictions')).not.toThrow();
  });
});
