// Dose semantics: ADDL/II expansion, lag, bioavailability, infusions (RATE, DUR, RATE −1/−2),
// resets (EVID 3/4, SS 1), steady-state records and what their implied doses carry over, the
// compiled timeline, and errors that name the dose row.
import { describe, expect, it } from 'vitest';
import { doseSchedule } from '../../src/pharmacometrics/dosing/build-dose-schedule.ts';
import { doseTimeline, TimelineAction } from '../../src/pharmacometrics/dosing/dose-timeline.ts';
import { periodicInput } from '../../src/pharmacometrics/dosing/periodic-input.ts';
import { scheduleEvents } from '../../src/pharmacometrics/dosing/schedule-events.ts';
import type { DoseRecord } from '../../src/pharmacometrics/records.ts';
import { dose } from './helpers/records.ts';

describe('doseSchedule: transient doses', () => {
  it('expands ADDL doses every II after the first, computing each time directly', () => {
    const s = doseSchedule([dose({ time: 1, addl: 4, ii: 0.1, row: 7 })]);
    expect(s.boluses.map((b) => b.time)).toEqual(
      [1, 1.1, 1.2, 1.3, 1.4].map((k, i) => 1 + i * 0.1),
    );
    expect(s.boluses.every((b) => b.amount === 100 && b.cmt === 1 && b.row === 7)).toBe(true);
    expect(s.infusions).toEqual([]);
    expect(s.resets).toEqual([]);
  });

  it('shifts every delivery by the lag and scales bolus amounts by F', () => {
    const s = doseSchedule([dose({ addl: 2, ii: 12 })], [], {
      lag: { 1: 0.75 },
      bioavailability: { 1: 0.6 },
    });
    expect(s.boluses.map((b) => [b.time, b.amount])).toEqual([
      [0.75, 60],
      [12.75, 60],
      [24.75, 60],
    ]);
  });

  it('infusions: F scales the length for RATE (given or modelled) and the rate for DUR (given or modelled)', () => {
    const modifiers = {
      bioavailability: { 1: 0.5, 2: 0.5 },
      rate: { 2: 40 },
      duration: { 1: 4 },
    };
    const s = doseSchedule(
      [
        dose({ time: 0, cmt: 2, rate: 25, row: 2 }), // 50 at 25/h: 2 h
        dose({ time: 10, cmt: 2, duration: 5, row: 3 }), // 50 over 5 h: 10/h
        dose({ time: 20, cmt: 2, rate: -1, row: 4 }), // 50 at R2 = 40/h: 1.25 h
        dose({ time: 30, cmt: 1, rate: -2, row: 5 }), // 50 over D1 = 4 h: 12.5/h
      ],
      [],
      modifiers,
    );
    expect(s.boluses).toEqual([]);
    expect(s.infusions.map((f) => [f.start, f.end, f.cmt, f.rate, f.row])).toEqual([
      [0, 2, 2, 25, 2],
      [10, 15, 2, 10, 3],
      [20, 21.25, 2, 40, 4],
      [30, 34, 1, 12.5, 5],
    ]);
  });

  it('expands infusions with ADDL and lag; overlapping infusions stay separate items', () => {
    const s = doseSchedule([dose({ rate: 10, addl: 2, ii: 6 })], [], { lag: { 1: 1 } });
    expect(s.infusions.map((f) => [f.start, f.end])).toEqual([
      [1, 11],
      [7, 17],
      [13, 23],
    ]);
  });

  it('skips deliveries of nothing (F = 0, AMT 0)', () => {
    const s = doseSchedule(
      [dose({ amount: 0 }), dose({ time: 1, cmt: 2 }), dose({ time: 2, cmt: 2, rate: 5 })],
      [],
      { bioavailability: { 2: 0 } },
    );
    expect(s.boluses).toEqual([]);
    expect(s.infusions).toEqual([]);
  });
});

describe('doseSchedule: resets', () => {
  it('EVID 3 cancels pending additional doses, lagged doses and the rest of running infusions', () => {
    const s = doseSchedule(
      [
        dose({ time: 0, addl: 9, ii: 4, row: 2 }),
        dose({ time: 18, cmt: 2, rate: 10, amount: 100, row: 3 }), // 18 → 28, cut at 20
        dose({ time: 19, cmt: 1, row: 4 }), // lag 1.5: due at 20.5, cancelled
        dose({ time: 20, cmt: 1, amount: 50, row: 6 }), // after the reset: kept
      ],
      [20],
      { lag: { 1: 1.5 } },
    );
    expect(s.boluses.map((b) => [b.time, b.amount])).toEqual([
      [1.5, 100],
      [5.5, 100],
      [9.5, 100],
      [13.5, 100],
      [17.5, 100],
      [21.5, 50],
    ]);
    expect(s.infusions.map((f) => [f.start, f.end])).toEqual([[18, 20]]);
    expect(s.resets).toEqual([20]);
  });

  it('EVID 4 resets before its own dose; same-time records earlier in the data are cancelled', () => {
    const s = doseSchedule([
      dose({ time: 0, addl: 5, ii: 10, row: 2 }),
      dose({ time: 24, amount: 7, row: 3 }),
      dose({ time: 24, amount: 30, reset: true, row: 4 }),
      dose({ time: 24, amount: 5, row: 5 }),
    ]);
    expect(s.boluses.map((b) => [b.time, b.amount, b.row])).toEqual([
      [0, 100, 2],
      [10, 100, 2],
      [20, 100, 2],
      [24, 30, 4],
      [24, 5, 5],
    ]);
    expect(s.resets).toEqual([24]);
  });

  it('SS 1 cancels what earlier records still deliver; SS 2 does not', () => {
    const earlier = dose({ time: 0, rate: 10, amount: 200, addl: 3, ii: 24, row: 2 });
    const ss1 = doseSchedule([earlier, dose({ time: 30, ss: 1, ii: 12, row: 3 })]);
    expect(ss1.infusions.map((f) => [f.start, f.end])).toEqual([
      [0, 20],
      [24, 30],
    ]);
    const ss2 = doseSchedule([earlier, dose({ time: 30, ss: 2, ii: 12, row: 3 })]);
    expect(ss2.infusions.map((f) => [f.start, f.end])).toEqual([
      [0, 20],
      [24, 44],
      [48, 68],
      [72, 92],
    ]);
    expect(ss1.resets).toEqual([]); // SS 1 sets the state itself
  });
});

describe('doseSchedule: steady state', () => {
  it('records the regimen and delivers the record dose and its ADDL doses as transient doses', () => {
    const s = doseSchedule([dose({ time: 48, ss: 1, ii: 12, addl: 2, row: 9 })], [], {
      bioavailability: { 1: 0.8 },
    });
    expect(s.steadyStates).toEqual([
      { time: 48, mode: 1, cmt: 1, ii: 12, lag: 0, amount: 80, rate: 0, duration: 0, row: 9 },
    ]);
    expect(s.boluses.map((b) => b.time)).toEqual([48, 60, 72]);
  });

  it('carries over implied doses still due after the record: lag ≥ II, infusions longer than II', () => {
    const lagged = doseSchedule([dose({ time: 100, ss: 1, ii: 10 })], [], { lag: { 1: 25 } });
    // Implied doses at 90 and 80 arrive at 115 and 105; the record's own at 125.
    expect(lagged.boluses.map((b) => b.time)).toEqual([105, 115, 125]);
    const long = doseSchedule([dose({ time: 100, ss: 2, ii: 10, rate: 4, amount: 100, cmt: 2 })]);
    // 25 h infusions every 10 h: the ones started at 80 and 90 are still running at 100.
    expect(long.infusions.map((f) => [f.start, f.end]).sort((a, b) => a[1] - b[1])).toEqual([
      [100, 105],
      [100, 115],
      [100, 125],
    ]);
  });

  it('a steady-state constant infusion runs from the record until a reset', () => {
    const s = doseSchedule([dose({ time: 5, ss: 1, ii: 0, amount: 0, rate: 3, row: 4 })], [40]);
    expect(s.steadyStates[0]).toMatchObject({ ii: 0, rate: 3, duration: Infinity, amount: 0 });
    expect(s.infusions).toEqual([{ start: 5, end: 40, cmt: 1, rate: 3, row: 4 }]);
    const endless = doseSchedule([dose({ time: 5, ss: 1, ii: 0, amount: 0, rate: 3 })]);
    expect(endless.infusions[0].end).toBe(Infinity);
  });

  it('the one-interval input: bolus phase = lag mod II, overlapping infusions counted per piece', () => {
    const [bolusSS] = doseSchedule([dose({ ss: 1, ii: 12 })], [], { lag: { 1: 27 } }).steadyStates;
    expect(periodicInput(bolusSS)).toMatchObject({ period: 12, bolusPhase: 3, bolusAmount: 100 });
    // D = 25, II = 10, lag 2: phases [0, 2) have 2 running, [2, 7) 3, [7, 10) 2.
    const [infSS] = doseSchedule([dose({ ss: 1, ii: 10, rate: 4 })], [], {
      lag: { 1: 2 },
    }).steadyStates;
    const input = periodicInput(infSS);
    expect(Array.from(input.pieceStart)).toEqual([0, 2, 7]);
    expect(Array.from(input.pieceEnd)).toEqual([2, 7, 10]);
    expect(Array.from(input.pieceRate)).toEqual([8, 12, 8]);
    // Mean input over an interval = dose per interval.
    let delivered = 0;
    for (let j = 0; j < input.pieceRate.length; j++) {
      delivered += input.pieceRate[j] * (input.pieceEnd[j] - input.pieceStart[j]);
    }
    expect(delivered).toBeCloseTo(100, 12);
  });
});

describe('doseTimeline', () => {
  it('sums overlapping infusions into one rate per compartment that returns to exactly 0', () => {
    const s = doseSchedule([
      dose({ time: 0, rate: 0.1, amount: 0.25 }), // 0 → 2.5
      dose({ time: 1, rate: 0.2, amount: 0.2 }), // 1 → 2
      dose({ time: 1.5, cmt: 2, duration: 1, amount: 7 }),
    ]);
    const t = doseTimeline(s, 2);
    const rates = Array.from({ length: t.length }, (_, i) => [t.time[i], t.index[i], t.value[i]]);
    expect(rates).toEqual([
      [0, 0, 0.1],
      [1, 0, 0.1 + 0.2],
      [1.5, 1, 7],
      [2, 0, 0.1],
      [2.5, 0, 0],
      [2.5, 1, 0],
    ]);
    expect(t.infusedCompartments).toEqual([0, 1]);
  });

  it('orders actions at one time: reset, steady state, rates, boluses', () => {
    const s = doseSchedule(
      [
        dose({ time: 10, amount: 5, row: 3 }),
        dose({ time: 10, rate: 2, amount: 4, row: 4 }),
        dose({ time: 10, ss: 2, ii: 12, row: 5 }),
      ],
      [10],
    );
    const t = doseTimeline(s, 1);
    expect(Array.from(t.action)).toEqual([
      TimelineAction.Reset,
      TimelineAction.SteadyState,
      TimelineAction.SetRate,
      TimelineAction.Bolus,
      TimelineAction.Bolus,
      TimelineAction.SetRate,
    ]);
  });
});

describe('errors name the dose row', () => {
  const cases: [string, DoseRecord, RegExp][] = [
    [
      'ADDL without II',
      dose({ addl: 3, row: 7 }),
      /dose row 7: ADDL 3 needs an interdose interval II > 0/,
    ],
    ['RATE and DUR', dose({ rate: 5, duration: 2, row: 8 }), /dose row 8: RATE 5 and DUR 2/],
    ['SS bolus with II 0', dose({ ss: 1, row: 9 }), /dose row 9: SS 1 with II 0/],
    ['negative AMT', dose({ amount: -1, row: 10 }), /dose row 10: AMT must be finite and ≥ 0/],
    ['bad RATE', dose({ rate: -3, row: 11 }), /dose row 11: RATE must be ≥ 0, −1 or −2/],
    [
      'RATE −1 without R',
      dose({ rate: -1, row: 12 }),
      /dose row 12 has RATE −1 .* no modelled rate R1/,
    ],
    [
      'RATE −2 without D',
      dose({ rate: -2, row: 13 }),
      /dose row 13 has RATE −2 .* no modelled duration D1/,
    ],
    ['CMT 0', dose({ cmt: 0, row: 14 }), /dose row 14: CMT must be an integer ≥ 1/],
  ];
  for (const [what, record, message] of cases) {
    it(what, () => {
      expect(() => doseSchedule([record])).toThrow(message);
    });
  }

  it('CMT beyond the model, and modifiers keyed like an array or out of range', () => {
    expect(() => doseSchedule([dose({ cmt: 3, row: 5 })], [], {}, { compartments: 2 })).toThrow(
      /dose row 5: CMT 3 but the model has 2 compartments/,
    );
    expect(() => doseSchedule([dose({})], [], { bioavailability: [0.5] })).toThrow(
      /keys are 1-based CMT numbers, got '0' \(an array was given/,
    );
    expect(() => doseSchedule([dose({})], [], { lag: { 1: -1 } })).toThrow(
      /lag time ALAG1 must be finite and ≥ 0, got -1/,
    );
    expect(() => doseSchedule([dose({})], [], { rate: { 1: 0 } })).toThrow(
      /modelled rate R1 must be finite and > 0/,
    );
  });

  it('scheduleEvents: an infusion into a compartment without a rate parameter, an SS dose without a steady-state function', () => {
    const infusion = doseSchedule([dose({ cmt: 2, rate: 10, row: 6 })]);
    expect(() => scheduleEvents(infusion, { stateCount: 2, rateParameters: { 1: 0 } })).toThrow(
      /dose row 6 infuses CMT 2, but no infusion-rate parameter is given/,
    );
    const ss = doseSchedule([dose({ ss: 1, ii: 24, row: 4 })]);
    expect(() => scheduleEvents(ss, { stateCount: 1 })).toThrow(
      /dose row 4 is a steady-state dose \(SS 1\); pass a steadyState function/,
    );
  });
});
