// The ODE path — model library + `scheduleEvents` + a plain `solve` (Vern7, tight tolerances)
// — against the closed-form solutions: ADDL/II, infusions (RATE, DUR, RATE −1/−2), lag, F,
// resets (EVID 3/4) and steady state (bolus, infusion, oral; SS 1 and 2). Numeric steady state
// against the analytic one and against 200 simulated doses, for a nonlinear model too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneCompartmentIv } from '../../models/pk/one-compartment-iv.ts';
import { oneCompartmentOral } from '../../models/pk/one-compartment-oral.ts';
import { threeCompartmentIv } from '../../models/pk/three-compartment-iv.ts';
import { twoCompartmentIv } from '../../models/pk/two-compartment-iv.ts';
import { twoCompartmentOral } from '../../models/pk/two-compartment-oral.ts';
import { indirectResponseIV } from '../../models/pd/indirect-response.ts';
import { baselineState } from '../../models/pd/turnover.ts';
import { odeProblem } from '../../src/core/ode-problem.ts';
import { solve } from '../../solvers/solve.ts';
import { expressionModel, type ExpressionModel } from '../../src/expressions/expression-model.ts';
import { scalar } from '../../src/parameters/layout.ts';
import type { ClosedFormPkModel } from '../../src/pharmacometrics/closed-form/closed-form-pk-model.ts';
import {
  ClosedFormOneCompartment,
  ClosedFormOneCompartmentOral,
} from '../../src/pharmacometrics/closed-form/one-compartment.ts';
import { ClosedFormThreeCompartment } from '../../src/pharmacometrics/closed-form/three-compartment.ts';
import {
  ClosedFormTwoCompartment,
  ClosedFormTwoCompartmentOral,
} from '../../src/pharmacometrics/closed-form/two-compartment.ts';
import { doseSchedule } from '../../src/pharmacometrics/dosing/build-dose-schedule.ts';
import type { DoseModifiers } from '../../src/pharmacometrics/dosing/dose-modifiers.ts';
import type { DoseSchedule } from '../../src/pharmacometrics/dosing/dose-schedule.ts';
import { infusionRateParameters } from '../../src/pharmacometrics/dosing/infusion-inputs.ts';
import {
  numericSteadyState,
  steadyStateByIteration,
  type NumericSteadyStateOptions,
} from '../../src/pharmacometrics/dosing/numeric-steady-state.ts';
import { periodicInput } from '../../src/pharmacometrics/dosing/periodic-input.ts';
import { scheduleEvents } from '../../src/pharmacometrics/dosing/schedule-events.ts';
import type { DoseRecord } from '../../src/pharmacometrics/records.ts';
import { dose, grid, regimenSchedule, type Regimen } from './helpers/records.ts';

/** Tight settings: the ODE path should then match the closed forms to ~1e-11. */
const STEADY: NumericSteadyStateOptions = {
  method: 'Vern7',
  rtol: 1e-13,
  atol: 1e-13,
  tolerance: { rtol: 1e-12, atol: 1e-12 },
  maxIterations: 5000,
};

/** Amounts at `times` (times × n) by a plain solve with the schedule's events. */
function odeAmounts(
  model: ExpressionModel,
  schedule: DoseSchedule,
  times: number[],
  options: { p?: Float64Array; initialState?: Float64Array } = {},
): { amounts: Float64Array; reports: { iterations: number }[] } {
  const n = model.stateCount;
  const p = options.p ?? model.initialParameters();
  const rateParameters = infusionRateParameters(model);
  const steadyState = steadyStateByIteration(
    { f: model.f, stateCount: n, rateParameters, jacobian: model.jacobian },
    STEADY,
  );
  const events = scheduleEvents(schedule, {
    stateCount: n,
    rateParameters,
    steadyState,
    ...(options.initialState ? { initialState: options.initialState } : {}),
  });
  const u0 = options.initialState ?? new Float64Array(n);
  const problem = odeProblem({ f: model.f, u0, tspan: [times[0], times[times.length - 1]], p });
  const solution = solve(problem, 'Vern7', {
    rtol: 1e-13,
    atol: 1e-12,
    saveat: times,
    tstops: times,
    events,
    maxSteps: 1_000_000,
  }).assertSuccess();
  return { amounts: solution.u, reports: steadyState.reports };
}

/** max |ode − closed| / (|closed| + floor). */
function worstRelative(a: Float64Array, b: Float64Array, floor: number): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + floor));
  return worst;
}

interface Case extends Regimen {
  readonly name: string;
  readonly ode: ExpressionModel;
  readonly closed: ClosedFormPkModel;
}

const ONE = { cl: 3, v: 20 };
const ORAL1 = { ka: 0.9, cl: 3, v: 20 };
const TWO = { cl: 4, v: 25, q: 6, v2: 70 };
const ORAL2 = { ka: 1.4, cl: 4, v: 25, q: 6, v2: 70 };
const THREE = { cl: 4, v: 25, q: 6, v2: 70, q3: 1.2, v3: 180 };

const CASES: Case[] = [
  {
    name: 'ADDL boluses with F, overlapping RATE infusions, EVID 3 mid-infusion and EVID 4',
    ode: oneCompartmentIv(ONE),
    closed: new ClosedFormOneCompartment(ONE),
    doses: [
      dose({ time: 0, addl: 5, ii: 6, row: 2 }),
      dose({ time: 2, rate: 10, amount: 80, addl: 2, ii: 5, row: 3 }),
      dose({ time: 40, amount: 30, reset: true, row: 4 }),
    ],
    resets: [21],
    modifiers: { bioavailability: { 1: 0.85 } },
  },
  {
    name: 'oral: lag and F, zero-order input into the depot (RATE −2) and the central compartment (RATE −1)',
    ode: oneCompartmentOral(ORAL1),
    closed: new ClosedFormOneCompartmentOral(ORAL1),
    doses: [
      dose({ time: 0, addl: 3, ii: 12, row: 2 }),
      dose({ time: 5, rate: -2, amount: 60, row: 3 }),
      dose({ time: 9, cmt: 2, rate: -1, amount: 40, row: 4 }),
    ],
    modifiers: {
      lag: { 1: 0.7 },
      bioavailability: { 1: 0.6, 2: 0.9 },
      duration: { 1: 3 },
      rate: { 2: 15 },
    },
  },
  {
    name: 'two compartments IV: DUR infusion, SS 1 bolus with ADDL, SS 2 infusion longer than II',
    ode: twoCompartmentIv(TWO),
    closed: new ClosedFormTwoCompartment(TWO),
    doses: [
      dose({ time: 0, duration: 2, amount: 120, row: 2 }),
      dose({ time: 10, ss: 1, ii: 8, addl: 2, amount: 90, row: 3 }),
      dose({ time: 40, ss: 2, ii: 6, rate: 5, amount: 50, row: 4 }),
    ],
  },
  {
    name: 'two compartments IV: SS 1 infusion shorter than II, then SS 2 boluses on top',
    ode: twoCompartmentIv(TWO),
    closed: new ClosedFormTwoCompartment(TWO),
    doses: [
      dose({ time: 0, ss: 1, ii: 12, rate: 50, amount: 100, addl: 4, row: 2 }),
      dose({ time: 30, ss: 2, ii: 24, amount: 40, row: 3 }),
    ],
  },
  {
    name: 'two compartments oral: SS 1 with lag longer than II and F, then reset-and-dose',
    ode: twoCompartmentOral(ORAL2),
    closed: new ClosedFormTwoCompartmentOral(ORAL2),
    doses: [
      dose({ time: 12, ss: 1, ii: 12, addl: 3, row: 2 }),
      dose({ time: 70, reset: true, amount: 200, row: 3 }),
    ],
    modifiers: { lag: { 1: 14.5 }, bioavailability: { 1: 0.9 } },
  },
  {
    name: 'two compartments oral: SS 2 with a short lag added to a running regimen',
    ode: twoCompartmentOral(ORAL2),
    closed: new ClosedFormTwoCompartmentOral(ORAL2),
    doses: [
      dose({ time: 0, addl: 4, ii: 8, row: 2 }),
      dose({ time: 20, ss: 2, ii: 24, amount: 300, row: 3 }),
    ],
    modifiers: { lag: { 1: 0.4 } },
  },
  {
    name: 'three compartments IV: SS constant infusion stopped by EVID 3, a bolus into a peripheral, ADDL',
    ode: threeCompartmentIv(THREE),
    closed: new ClosedFormThreeCompartment(THREE),
    doses: [
      dose({ time: 0, ss: 1, ii: 0, amount: 0, rate: 12, row: 2 }),
      dose({ time: 20, cmt: 3, amount: 40, row: 3 }),
      dose({ time: 45, amount: 100, addl: 3, ii: 4, row: 4 }),
    ],
    resets: [30],
  },
];

describe('ODE path (plain solve + scheduleEvents) against the closed forms', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const schedule = regimenSchedule(c);
      const times = grid(0, 80, 0.5);
      const { amounts, reports } = odeAmounts(c.ode, schedule, times);
      const closed = c.closed.amountsAt(schedule, times);
      expect(worstRelative(amounts, closed, 1e-4)).toBeLessThan(1e-10);
      expect(reports.length).toBe(schedule.steadyStates.length);
      for (const r of reports) expect(r.iterations).toBeGreaterThan(1);
    });
  }

  it('random parameters and regimens (two compartments oral)', () => {
    fc.assert(
      fc.property(
        fc.record({
          ka: fc.double({ min: 0.1, max: 3, noNaN: true }),
          cl: fc.double({ min: 1, max: 10, noNaN: true }),
          v: fc.double({ min: 10, max: 60, noNaN: true }),
          q: fc.double({ min: 1, max: 10, noNaN: true }),
          v2: fc.double({ min: 20, max: 120, noNaN: true }),
        }),
        fc.array(
          fc.record({
            time: fc.integer({ min: 0, max: 30 }),
            cmt: fc.integer({ min: 1, max: 2 }),
            amount: fc.double({ min: 10, max: 300, noNaN: true }),
            infusion: fc.boolean(),
            length: fc.double({ min: 0.5, max: 8, noNaN: true }),
            addl: fc.integer({ min: 0, max: 2 }),
            ii: fc.integer({ min: 4, max: 24 }),
            ss: fc.constantFrom(0, 0, 0, 1, 2),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0.3, max: 1, noNaN: true }),
        (params, list, lag, f) => {
          const records = list.map((d, i) =>
            dose({
              time: d.time,
              cmt: d.cmt,
              amount: d.amount,
              duration: d.infusion ? d.length : 0,
              addl: d.addl,
              ii: d.addl > 0 || d.ss > 0 ? d.ii : 0,
              ss: d.ss as 0 | 1 | 2,
              row: i + 2,
            }),
          );
          const schedule = doseSchedule(records, [], {
            lag: { 1: lag },
            bioavailability: { 1: f },
          });
          const times = grid(0, 60, 1.5);
          const { amounts } = odeAmounts(twoCompartmentOral(params), schedule, times);
          const closed = new ClosedFormTwoCompartmentOral(params).amountsAt(schedule, times);
          expect(worstRelative(amounts, closed, 1e-3)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('steady state', () => {
  const inputsOf = (record: DoseRecord, modifiers: DoseModifiers = {}) =>
    periodicInput(doseSchedule([record], [], modifiers).steadyStates[0]);

  it('numeric (iterated ODE intervals) equals analytic for boluses, infusions, oral doses and constant infusions', () => {
    const cases: [ExpressionModel, ClosedFormPkModel, DoseRecord, DoseModifiers][] = [
      [twoCompartmentIv(TWO), new ClosedFormTwoCompartment(TWO), dose({ ss: 1, ii: 12 }), {}],
      [
        twoCompartmentIv(TWO),
        new ClosedFormTwoCompartment(TWO),
        dose({ ss: 1, ii: 12, rate: 40 }),
        {},
      ],
      [
        twoCompartmentIv(TWO),
        new ClosedFormTwoCompartment(TWO),
        dose({ ss: 1, ii: 8, rate: 5 }),
        { lag: { 1: 3 } },
      ],
      [
        twoCompartmentOral(ORAL2),
        new ClosedFormTwoCompartmentOral(ORAL2),
        dose({ ss: 2, ii: 24 }),
        { lag: { 1: 1.5 } },
      ],
      [
        oneCompartmentOral(ORAL1),
        new ClosedFormOneCompartmentOral(ORAL1),
        dose({ ss: 1, ii: 6, duration: 2 }),
        {},
      ],
      [
        threeCompartmentIv(THREE),
        new ClosedFormThreeCompartment(THREE),
        dose({ ss: 1, ii: 0, amount: 0, rate: 9 }),
        {},
      ],
    ];
    for (const [model, closed, record, modifiers] of cases) {
      const input = inputsOf(record, modifiers);
      const rateParameters = infusionRateParameters(model);
      const numeric = numericSteadyState(
        { f: model.f, stateCount: model.stateCount, rateParameters },
        input,
        model.initialParameters(),
        new Float64Array(model.stateCount),
        STEADY,
      );
      const analytic = closed.steadyState(input);
      for (let k = 0; k < analytic.length; k++) {
        expect(Math.abs(numeric.state[k] - analytic[k])).toBeLessThan(1e-10 * analytic[k] + 1e-11);
      }
      expect(numeric.change).toBeLessThanOrEqual(1);
    }
  });

  it('numeric steady state of a nonlinear (Michaelis–Menten) model equals the state before dose 201 of 200 doses', () => {
    const mm = expressionModel({
      states: ['depot', 'central'],
      parameters: {
        ka: scalar(1.1, { transform: 'positive' }),
        vmax: scalar(30, { transform: 'positive' }),
        km: scalar(2, { transform: 'positive' }),
        v: scalar(20, { transform: 'positive' }),
        rate_depot: scalar(0, { frozen: true }),
        rate_central: scalar(0, { frozen: true }),
      },
      definitions: { conc: 'central/v' },
      equations: {
        depot: 'rate_depot - ka*depot',
        central: 'rate_central + ka*depot - vmax*conc/(km + conc)',
      },
    });
    for (const record of [
      dose({ ss: 1, ii: 12, amount: 200 }),
      dose({ ss: 1, ii: 12, amount: 150, cmt: 2, rate: 50 }),
    ]) {
      const ii = record.ii;
      const input = inputsOf({ ...record, time: 200 * ii });
      const numeric = numericSteadyState(
        { f: mm.f, stateCount: 2, rateParameters: infusionRateParameters(mm) },
        input,
        mm.initialParameters(),
        new Float64Array(2),
        STEADY,
      );
      const train = doseSchedule([{ ...record, ss: 0, addl: 199 }]);
      const { amounts } = odeAmounts(mm, train, [0, 200 * ii]);
      for (let k = 0; k < 2; k++) {
        expect(Math.abs(amounts[2 + k] - numeric.state[k])).toBeLessThan(
          1e-9 * numeric.state[k] + 1e-10,
        );
      }
    }
  });

  it('numeric steady state of a linear model equals 200 simulated doses of the ODE', () => {
    const model = twoCompartmentOral(ORAL2);
    const record = dose({ ss: 1, ii: 12, amount: 100 });
    const input = inputsOf({ ...record, time: 2400 }, { lag: { 1: 0.5 } });
    const numeric = numericSteadyState(
      { f: model.f, stateCount: 3, rateParameters: infusionRateParameters(model) },
      input,
      model.initialParameters(),
      new Float64Array(3),
      STEADY,
    );
    const train = doseSchedule([{ ...record, ss: 0, addl: 199 }], [], { lag: { 1: 0.5 } });
    const { amounts } = odeAmounts(model, train, [0, 2400]);
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(amounts[3 + k] - numeric.state[k])).toBeLessThan(
        1e-10 * numeric.state[k] + 1e-10,
      );
    }
    expect(numeric.iterations).toBeGreaterThan(10);
  });

  it('PD: an indirect-response model dosed to steady state, with resets returning to the baseline', () => {
    const model = indirectResponseIV(); // one-compartment IV driving response (state 2)
    const p = model.initialParameters();
    const baseline = baselineState(model, p);
    const schedule = doseSchedule(
      [dose({ time: 0, ss: 1, ii: 12, rate: 50, addl: 2, row: 2 })],
      [60],
    );
    const times = grid(0, 96, 1);
    const { amounts } = odeAmounts(model, schedule, times, { p, initialState: baseline });
    // The PK part equals the closed form; the response starts at its own steady state (periodic
    // with the regimen) and returns to the baseline after the reset.
    const pk = new ClosedFormOneCompartment({ cl: 4, v: 30 }).amountsAt(schedule, times);
    times.forEach((_, i) => {
      expect(Math.abs(amounts[2 * i] - pk[i])).toBeLessThan(1e-10 * pk[i] + 1e-10);
    });
    expect(Math.abs(amounts[2 * 96 + 1] - baseline[1])).toBeLessThan(1e-12 * baseline[1]);
    const [atZero, atTwelve] = [amounts[1], amounts[2 * 12 + 1]];
    expect(Math.abs(atZero - atTwelve)).toBeLessThan(1e-9 * atZero); // periodic
    expect(atZero).toBeLessThan(baseline[1]); // stimulated loss lowers the response
  });

  it("a closed-form model's analytic steady state can drive the ODE path", () => {
    const model = twoCompartmentOral(ORAL2);
    const closed = new ClosedFormTwoCompartmentOral(ORAL2);
    const schedule = doseSchedule([dose({ time: 5, ss: 1, ii: 12, addl: 2, row: 2 })], [], {
      lag: { 1: 2 },
    });
    const rateParameters = infusionRateParameters(model);
    const events = scheduleEvents(schedule, {
      stateCount: 3,
      rateParameters,
      steadyState: closed.steadyStateFunction(),
    });
    const times = grid(5, 60, 0.5);
    const problem = odeProblem({
      f: model.f,
      u0: [0, 0, 0],
      tspan: [5, 60],
      p: model.initialParameters(),
    });
    const solution = solve(problem, 'Vern7', {
      rtol: 1e-13,
      atol: 1e-12,
      saveat: times,
      tstops: times,
      events,
    });
    const expected = closed.amountsAt(schedule, times);
    expect(worstRelative(solution.u, expected, 1e-4)).toBeLessThan(1e-10);
  });

  it('non-convergence is an error naming the dose row and the figures', () => {
    const model = twoCompartmentIv(TWO);
    const input = inputsOf(dose({ ss: 1, ii: 1, row: 5 }));
    expect(() =>
      numericSteadyState(
        { f: model.f, stateCount: 2, rateParameters: infusionRateParameters(model) },
        input,
        model.initialParameters(),
        new Float64Array(2),
        { maxIterations: 3 },
      ),
    ).toThrow(
      /SS 1 dose \(row 5\) at t = 0: the numeric steady state did not converge in 3 intervals \(last change .* tolerance units, contraction .* per interval\)/,
    );
  });
});
