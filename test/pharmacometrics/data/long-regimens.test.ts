// Repeated doses stay one record with a count (ADDL) until a prediction expands the doses it
// reaches: ADDL 1e8 reads and predicts in milliseconds with bounded memory (before: the eager
// expansion ran out of memory after about a minute), and a schedule that would exceed the
// documented bound — or put a dose at ∞ — is an error naming the dose row.
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../../src/core/errors.ts';
import { ClosedFormOneCompartmentOral } from '../../../src/pharmacometrics/closed-form/one-compartment.ts';
import {
  doseSchedule,
  MAX_SCHEDULED_DOSES,
} from '../../../src/pharmacometrics/dosing/build-dose-schedule.ts';
import { doseTimeline } from '../../../src/pharmacometrics/dosing/dose-timeline.ts';
import { closedFormSubjects } from '../../../src/pharmacometrics/estimation/closed-form-subjects.ts';
import { odeSubjects } from '../../../src/pharmacometrics/estimation/ode-subjects.ts';
import { readNonmemData } from '../../../src/pharmacometrics/nonmem-data.ts';
import { oneCompartmentOral } from '../../../models/pk/one-compartment-oral.ts';
import { dose } from '../helpers/records.ts';

/** A dose of 100 every 12 h with `addl` additional doses, and observations up to t = 30. */
const regimen = (addl: number | string): string =>
  [
    'ID,TIME,DV,AMT,II,ADDL,CMT',
    `1,0,.,100,12,${addl},1`,
    '1,6,1,.,.,.,2',
    '1,18,1,.,.,.,2',
    '1,30,1,.,.,.,2',
  ].join('\n');

const PHI = new Float64Array([1.2, 3, 30]);

/** The closed-form predictions at 6, 18 and 30 of a data set. */
function closedForm(text: string): Float64Array {
  const [subject] = closedFormSubjects(readNonmemData(text).subjects, {
    create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
    setParameters: (m, phi) => m.setParameters({ ka: phi[0], cl: phi[1], v: phi[2] }),
    observedCmt: 2,
  });
  const f = new Float64Array(3);
  subject.predict(PHI, f);
  return f;
}

/** The ODE predictions at 6, 18 and 30 of a data set. */
function ode(text: string): Float64Array {
  const model = oneCompartmentOral();
  const [subject] = odeSubjects(readNonmemData(text).subjects, {
    model,
    parameters: ['ka', 'cl', 'v'],
    observe: model.observation({ conc: 'central/v' }),
  });
  const f = new Float64Array(3);
  subject.predict(PHI, f);
  return f;
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

describe('ADDL: repeated doses expanded only up to the last predicted time', () => {
  it('ADDL 1e8 reads and predicts in well under a second, like the ADDL 2 it reaches', () => {
    // Doses at 0, 12 and 24 reach the observations at 6, 18 and 30 — what ADDL 2 gives eagerly.
    const eager = closedForm(regimen(2));
    const heap = heapAfterGc();
    const start = performance.now();
    const data = readNonmemData(regimen('1e8'));
    const lazy = closedForm(regimen('1e8'));
    const ms = performance.now() - start;
    const grown = heapAfterGc() - heap;
    expect(data.subjects[0].doses).toHaveLength(1);
    expect(data.subjects[0].doses[0].addl).toBe(1e8);
    expect(Array.from(lazy)).toEqual(Array.from(eager));
    expect(lazy[2]).toBeGreaterThan(lazy[0]); // accumulation: the doses at 12 and 24 count
    expect(ms).toBeLessThan(500);
    // 1e8 expanded doses would take gigabytes; the window holds three.
    expect(grown).toBeLessThan(20e6);
  });

  it('the ODE subjects expand ADDL 1e8 only up to their last observation too', () => {
    const eager = ode(regimen(2));
    const start = performance.now();
    const lazy = ode(regimen(100_000_000));
    expect(performance.now() - start).toBeLessThan(2000);
    expect(Array.from(lazy)).toEqual(Array.from(eager));
  });

  it('doseSchedule with `until` gives the eager schedule’s doses up to it, and no more', () => {
    const record = dose({ time: 1, amount: 5, ii: 0.1, addl: 1e8 });
    const small = doseSchedule([dose({ time: 1, amount: 5, ii: 0.1, addl: 20 })]);
    const lazy = doseSchedule([record], [], {}, { until: 3 });
    // t + k·II computed directly: the same times as the eager expansion, up to 3 inclusive.
    expect(lazy.boluses).toEqual(small.boluses.filter((b) => b.time <= 3));
    expect(lazy.boluses.at(-1)!.time).toBeCloseTo(3, 12);
    // A reset cuts the window short as it cancels the doses after it.
    const reset = doseSchedule([record], [2], {}, { until: 1e6 });
    expect(reset.boluses.map((b) => b.time)).toEqual(
      small.boluses.filter((b) => b.time < 2).map((b) => b.time),
    );
    // Infusions repeated by ADDL compile to one rate change per start and end.
    const infusions = doseSchedule(
      [dose({ amount: 10, rate: 5, ii: 4, addl: 1e8 })],
      [],
      {},
      { until: 4e5 },
    );
    expect(infusions.infusions).toHaveLength(100_001);
    const timeline = doseTimeline(infusions, 1);
    expect(timeline.length).toBe(200_002);
    expect(Array.from(timeline.value.subarray(0, 4))).toEqual([5, 0, 5, 0]);
  });

  it('a schedule beyond the bound is an error naming the row and the bound, before allocating', () => {
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ScichainError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    const start = performance.now();
    const all = message(() => doseSchedule([dose({ ii: 12, addl: 1e8, row: 7 })]));
    expect(all).toBe(
      'dose row 7: with its 100000001 doses (ADDL 100000000, every II 12) the schedule would ' +
        `hold more than ${MAX_SCHEDULED_DOSES.toLocaleString('en')} deliveries; pass \`until\` ` +
        '(the last time predicted) to expand only the doses up to it',
    );
    const window = message(() =>
      doseSchedule([dose({ ii: 1e-3, addl: 1e8, row: 3 })], [], {}, { until: 2000 }),
    );
    expect(window).toMatch(/^dose row 3: with its 2000001 doses .* up to t = 2000$/);
    expect(performance.now() - start).toBeLessThan(200);
    // The bound is on the whole schedule: eleven records of 100,000 doses cross it at the last.
    const many = Array.from({ length: 11 }, (_, k) =>
      dose({ time: k, ii: 1, addl: 99_999, row: 2 + k }),
    );
    expect(message(() => doseSchedule(many))).toMatch(/^dose row 12: with its 100000 doses/);
  });

  it('many resetting doses schedule in n log n (100,000 EVID 4 doses took over a minute)', () => {
    const n = 100_000;
    const doses = Array.from({ length: n }, (_, k) =>
      dose({ time: k, reset: true, row: k + 2, ii: k === 0 ? 0.25 : 0, addl: k === 0 ? 9 : 0 }),
    );
    const start = performance.now();
    const schedule = doseSchedule(doses);
    expect(performance.now() - start).toBeLessThan(3000);
    // The reset at t = 1 cancels the first record's ADDL doses from t = 1 on: 0, .25, .5, .75.
    expect(schedule.boluses.slice(0, 5).map((b) => b.time)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(schedule.boluses).toHaveLength(n + 3);
  });

  it('ADDL doses whose time overflows to ∞ are an error naming the row, not doses that vanish', () => {
    expect(() => doseSchedule([dose({ time: 1e308, ii: 1e308, addl: 1, row: 4 })])).toThrow(
      'dose row 4: the last additional dose falls at TIME + ADDL·II = 1e+308 + 1·1e+308 = ' +
        'Infinity; dose times must be finite',
    );
    expect(() =>
      doseSchedule([dose({ time: 1e308, row: 5 })], [], { lag: { 1: 1e308 } }, {}),
    ).toThrow(/^dose row 5: its last delivery ends at TIME 1e\+308 .* = Infinity/);
    expect(() => doseSchedule([dose({ amount: 1e300, rate: 1e-300, row: 6 })])).toThrow(
      'dose row 6: the infusion of AMT 1e+300 at rate 1e-300 lasts Infinity',
    );
  });
});
