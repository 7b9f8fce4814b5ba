// Closed-form linear PK against independent references: hand formulas, a matrix exponential of
// the linear system (Taylor series with scaling and squaring, in this file) driving a direct
// event-by-event simulation, superposition, and the ka ≈ k limit; the analytic steady state
// against 200+ simulated doses; property-based checks over parameters and regimens.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClosedFormPkModel } from '../../src/pharmacometrics/closed-form/closed-form-pk-model.ts';
import {
  decayDifference,
  decayDifferenceIntegral,
  phi1,
} from '../../src/pharmacometrics/closed-form/exponential-kernels.ts';
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
import type {
  DoseSchedule,
  SteadyStateDose,
} from '../../src/pharmacometrics/dosing/dose-schedule.ts';
import { periodicInput } from '../../src/pharmacometrics/dosing/periodic-input.ts';
import type { DoseRecord } from '../../src/pharmacometrics/records.ts';
import { dose, grid, regimenSchedule, type Regimen } from './helpers/records.ts';

// ---------------------------------------------------------------------------------------------
// Reference: exp of a small matrix by Taylor series with scaling and squaring.

type Matrix = number[][];

function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

function expm(a: Matrix): Matrix {
  const n = a.length;
  const norm = Math.max(...a.map((row) => row.reduce((s, v) => s + Math.abs(v), 0)));
  const squarings = Math.max(0, Math.ceil(Math.log2(norm + 1e-300)) + 2);
  const scaled = a.map((row) => row.map((v) => v / 2 ** squarings));
  let term: Matrix = a.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
  let sum = term.map((row) => row.slice());
  for (let k = 1; k <= 24; k++) {
    term = matmul(term, scaled).map((row) => row.map((v) => v / k));
    sum = sum.map((row, i) => row.map((v, j) => v + term[i][j]));
  }
  for (let s = 0; s < squarings; s++) sum = matmul(sum, sum);
  return sum.slice(0, n);
}

/** x(Δ) for x′ = K·x + r: the exponential of the augmented matrix [[K, r], [0, 0]]·Δ. */
function propagate(K: Matrix, x: number[], r: number[], dt: number): number[] {
  const n = K.length;
  const aug = [...K.map((row, i) => [...row.map((v) => v * dt), r[i] * dt]), Array(n + 1).fill(0)];
  const e = expm(aug);
  return Array.from(
    { length: n },
    (_, i) => e[i].slice(0, n).reduce((s, v, k) => s + v * x[k], 0) + e[i][n],
  );
}

/** Rate matrix of a mammillary model with an optional depot (independent of the library). */
function rateMatrix(p: Record<string, number>): Matrix {
  const k10 = p.cl / p.v;
  const periph: [number, number][] = [];
  if (p.q !== undefined) periph.push([p.q / p.v, p.q / p.v2]);
  if (p.q3 !== undefined) periph.push([p.q3 / p.v, p.q3 / p.v3]);
  const m = 1 + periph.length;
  const d = p.ka !== undefined ? 1 : 0;
  const n = m + d;
  const K: Matrix = Array.from({ length: n }, () => Array(n).fill(0));
  K[d][d] = -k10;
  periph.forEach(([out, back], i) => {
    K[d][d] -= out;
    K[d][d + 1 + i] += back;
    K[d + 1 + i][d] += out;
    K[d + 1 + i][d + 1 + i] -= back;
  });
  if (d === 1) {
    K[0][0] = -p.ka;
    K[1][0] = p.ka;
  }
  return K;
}

/**
 * Steady state at an SS record time from the implied doses (k ≥ 1 at t − k·II, each delayed by
 * the lag): b = what they deliver within one interval [t − II, t) from zero (simulated item by
 * item), then x = Σⱼ Mʲ·b with M = e^{K·II}, summed by doubling — the dose "given forever".
 */
function referenceSteadyState(K: Matrix, ss: SteadyStateDose): number[] {
  const n = K.length;
  const c = ss.cmt - 1;
  if (ss.ii === 0) {
    // Constant infusion: the limit of a long infusion, in doubling steps.
    let x = Array(n).fill(0);
    const r = Array(n).fill(0);
    r[c] = ss.rate;
    for (let dt = 1; dt < 1e7; dt *= 2) x = propagate(K, x, r, dt);
    return x;
  }
  const from = ss.time - ss.ii;
  const items: { start: number; end: number }[] = [];
  for (let k = 1; ss.time - k * ss.ii + ss.lag + ss.duration >= from; k++) {
    const start = ss.time - k * ss.ii + ss.lag;
    if (start < ss.time) items.push({ start, end: start + ss.duration });
  }
  const points = [
    ...new Set(
      [from, ss.time, ...items.flatMap((it) => [it.start, it.end])].filter(
        (t) => t >= from && t <= ss.time,
      ),
    ),
  ].sort((a, b) => a - b);
  let b = Array(n).fill(0);
  for (let i = 0; i + 1 < points.length; i++) {
    const [t0, t1] = [points[i], points[i + 1]];
    if (ss.rate === 0) {
      for (const it of items) if (it.start === t0) b[c] += ss.amount;
    }
    const r = Array(n).fill(0);
    for (const it of items) if (ss.rate > 0 && it.start <= t0 && t0 < it.end) r[c] += ss.rate;
    b = propagate(K, b, r, t1 - t0);
  }
  // x = Σⱼ Mʲ b by doubling: S ← S + M^m S, M^m ← (M^m)².
  let power = expm(K.map((row) => row.map((v) => v * ss.ii)));
  let sum = b;
  for (let d = 0; d < 40; d++) {
    sum = sum.map((v, i) => v + power[i].reduce((s, m, k) => s + m * sum[k], 0));
    power = matmul(power, power);
  }
  return sum;
}

/** Amounts at `times` by direct simulation of the schedule's items (right-continuous). */
function referenceAmounts(K: Matrix, schedule: DoseSchedule, times: number[]): number[][] {
  const n = K.length;
  const points = [
    ...new Set([
      ...times,
      ...schedule.boluses.map((b) => b.time),
      ...schedule.infusions.flatMap((f) => [f.start, f.end]).filter(Number.isFinite),
      ...schedule.resets,
      ...schedule.steadyStates.map((s) => s.time),
    ]),
  ].sort((a, b) => a - b);
  let x = Array(n).fill(0);
  let now = points[0];
  const out = new Map<number, number[]>();
  for (const t of points) {
    const r = Array(n).fill(0);
    for (const f of schedule.infusions) if (f.start <= now && now < f.end) r[f.cmt - 1] += f.rate;
    if (t > now) x = propagate(K, x, r, t - now);
    now = t;
    if (schedule.resets.includes(t)) x = Array(n).fill(0);
    for (const s of schedule.steadyStates) {
      if (s.time !== t) continue;
      const ss = referenceSteadyState(K, s);
      x = s.mode === 1 ? ss : x.map((v, i) => v + ss[i]);
    }
    for (const b of schedule.boluses) if (b.time === t) x[b.cmt - 1] += b.amount;
    out.set(t, x.slice());
  }
  return times.map((t) => out.get(t)!);
}

/** max |a − b| / (|b| + floor) over every amount. */
function worstRelative(actual: Float64Array, expected: number[][], floor: number): number {
  const n = expected[0].length;
  let worst = 0;
  expected.forEach((row, i) =>
    row.forEach((e, k) => {
      worst = Math.max(worst, Math.abs(actual[i * n + k] - e) / (Math.abs(e) + floor));
    }),
  );
  return worst;
}

// ---------------------------------------------------------------------------------------------

describe('exponential kernels', () => {
  it('φ₁ and h: exact limits and agreement with the plain formulas where they are well conditioned', () => {
    expect(phi1(0)).toBe(1);
    expect(phi1(1e-300)).toBe(1);
    expect(phi1(2)).toBeCloseTo((1 - Math.exp(-2)) / 2, 15);
    expect(decayDifference(0.3, 0.3, 2)).toBeCloseTo(2 * Math.exp(-0.6), 15);
    expect(decayDifference(0.3, 1.7, 2)).toBeCloseTo((Math.exp(-0.6) - Math.exp(-3.4)) / 1.4, 15);
    expect(decayDifference(1.7, 0.3, 2)).toBe(decayDifference(0.3, 1.7, 2));
    // No overflow for a large gap: e^{−λt} underflows while e^{(λ−κ)t} would overflow.
    expect(decayDifference(0.01, 900, 1)).toBeCloseTo(Math.exp(-0.01) / 899.99, 14);
  });

  it('ψ = ∫₀^Δ h: against Gauss–Legendre quadrature in every branch and continuous across branch edges', () => {
    // 20-point Gauss–Legendre on [0, Δ] (h is smooth): nodes from the Golub–Welsch-free recurrence.
    const gauss = (f: (s: number) => number, delta: number): number => {
      const m = 40;
      let sum = 0;
      for (let i = 1; i <= m; i++) {
        // Newton on P_m for node i.
        let x = Math.cos((Math.PI * (i - 0.25)) / (m + 0.5));
        let dp = 0;
        for (let it = 0; it < 100; it++) {
          let p0 = 1;
          let p1 = x;
          for (let k = 2; k <= m; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
          dp = (m * (x * p1 - p0)) / (x * x - 1);
          const dx = p1 / dp;
          x -= dx;
          if (Math.abs(dx) < 1e-16) break;
        }
        const w = 2 / ((1 - x * x) * dp * dp);
        sum += w * f(0.5 * delta * (x + 1));
      }
      return 0.5 * delta * sum;
    };
    const cases: [number, number, number][] = [
      [0.1, 0.2, 1], // series
      [0.3, 0.3, 2], // series, equal
      [1e-9, 2e-9, 3], // tiny arguments
      [0.2, 3, 1], // well separated
      [2, 2.3, 1], // close, large
      [5, 5 + 1e-12, 1], // nearly equal, large
      [0.9, 1.1, 1], // across b = 1
    ];
    for (const [l, k, d] of cases) {
      const expected = gauss((s) => decayDifference(l, k, s), d);
      expect(Math.abs(decayDifferenceIntegral(l, k, d) - expected)).toBeLessThan(2e-15 * expected);
    }
    // Branch edges: b = 1 and b − a = 0.5 (values on both sides agree to rounding).
    for (const [l, k] of [
      [0.7, 1],
      [0.5, 1],
      [1.5, 2],
    ]) {
      const below = decayDifferenceIntegral(l, k * (1 - 1e-14), 1);
      const above = decayDifferenceIntegral(l, k * (1 + 1e-14), 1);
      expect(Math.abs(below - above)).toBeLessThan(1e-13 * below);
    }
  });
});

describe('closed forms against hand formulas', () => {
  it('one compartment: IV bolus, infusion during and after, oral (Bateman), and ka = k', () => {
    const cl = 3;
    const v = 20;
    const k = cl / v;
    const iv = new ClosedFormOneCompartment({ cl, v });
    const times = [0, 0.5, 2, 7, 30];
    const bolus = iv.concentrationsAt(doseSchedule([dose({ amount: 100 })]), times);
    times.forEach((t, i) => expect(bolus[i]).toBeCloseTo((100 / v) * Math.exp(-k * t), 13));

    const infusion = iv.amountsAt(doseSchedule([dose({ amount: 100, rate: 25 })]), times);
    const during = (t: number): number => (25 / k) * (1 - Math.exp(-k * t));
    times.forEach((t, i) => {
      const expected = t <= 4 ? during(t) : during(4) * Math.exp(-k * (t - 4));
      expect(infusion[i]).toBeCloseTo(expected, 12);
    });

    const ka = 1.3;
    const oral = new ClosedFormOneCompartmentOral({ ka, cl, v });
    const a = oral.amountsAt(
      doseSchedule([dose({ amount: 100 })], [], { bioavailability: { 1: 0.7 } }),
      times,
    );
    times.forEach((t, i) => {
      expect(a[2 * i]).toBeCloseTo(70 * Math.exp(-ka * t), 12);
      expect(a[2 * i + 1]).toBeCloseTo(
        ((70 * ka) / (ka - k)) * (Math.exp(-k * t) - Math.exp(-ka * t)),
        12,
      );
    });

    // ka = k exactly: the limit 70·k·t·e^{−kt}; and a smooth approach to it.
    oral.setParameters({ ka: k, cl, v });
    const limit = oral.amountsAt(doseSchedule([dose({ amount: 70 })]), times);
    times.forEach((t, i) =>
      expect(limit[2 * i + 1]).toBeCloseTo(70 * k * t * Math.exp(-k * t), 13),
    );
    for (const delta of [1e-4, 1e-7, 1e-10, 1e-13]) {
      oral.setParameters({ ka: k * (1 + delta), cl, v });
      const near = oral.amountsAt(doseSchedule([dose({ amount: 70 })]), [7]);
      const exact = 70 * k * 7 * Math.exp(-k * 7);
      // d/dka of the limit is O(1): the values move by O(δ), never by rounding noise ~ ε/δ.
      expect(Math.abs(near[1] - exact)).toBeLessThan(2 * delta * exact + 1e-14 * exact);
    }
  });

  it('two compartments: IV bolus as A·e^{−αt} + B·e^{−βt}, and the macro-constants', () => {
    const p = { cl: 5, v: 25, q: 10, v2: 50 };
    const [k10, k12, k21] = [p.cl / p.v, p.q / p.v, p.q / p.v2];
    const sum = k10 + k12 + k21;
    const root = Math.sqrt(sum * sum - 4 * k10 * k21);
    const [alpha, beta] = [(sum + root) / 2, (sum - root) / 2];
    const model = new ClosedFormTwoCompartment(p);
    const rates = model.macroRates;
    expect(rates[0]).toBeCloseTo(alpha, 14);
    expect(rates[1]).toBeCloseTo(beta, 14);
    const times = [0, 0.3, 1, 4, 24];
    const c = model.concentrationsAt(doseSchedule([dose({ amount: 250 })]), times);
    const A = (10 * (alpha - k21)) / (alpha - beta);
    const B = (10 * (k21 - beta)) / (alpha - beta);
    times.forEach((t, i) =>
      expect(c[i]).toBeCloseTo(A * Math.exp(-alpha * t) + B * Math.exp(-beta * t), 13),
    );
  });

  it('steady state: bolus trough D·e^{−k·II}/(1 − e^{−k·II}); constant infusion R/k and the peripheral in equilibrium', () => {
    const iv = new ClosedFormOneCompartment({ cl: 2, v: 10 });
    const k = 0.2;
    const [ss] = doseSchedule([dose({ time: 0, ss: 1, ii: 8, amount: 50 })]).steadyStates;
    const x = iv.steadyState(periodicInput(ss));
    expect(x[0]).toBeCloseTo((50 * Math.exp(-k * 8)) / (1 - Math.exp(-k * 8)), 12);

    const two = new ClosedFormTwoCompartment({ cl: 2, v: 10, q: 3, v2: 40 });
    const [inf] = doseSchedule([dose({ ss: 1, ii: 0, amount: 0, rate: 6 })]).steadyStates;
    const y = two.steadyState(periodicInput(inf));
    expect(y[0]).toBeCloseTo(6 / k, 12);
    expect(y[1]).toBeCloseTo((y[0] / 10) * 40, 11); // equal concentrations
  });
});

interface Case extends Regimen {
  readonly name: string;
  readonly model: ClosedFormPkModel;
  readonly params: Record<string, number>;
}

const CASES: Case[] = [
  {
    name: 'one compartment IV: ADDL boluses, an overlapping infusion series, EVID 3 and EVID 4',
    model: new ClosedFormOneCompartment({ cl: 3, v: 20 }),
    params: { cl: 3, v: 20 },
    doses: [
      dose({ time: 0, addl: 5, ii: 6, row: 2 }),
      dose({ time: 2, rate: 10, amount: 80, addl: 2, ii: 5, row: 3 }),
      dose({ time: 40, amount: 30, reset: true, row: 4 }),
    ],
    resets: [25],
  },
  {
    name: 'one compartment oral: lag, F, infusion into the depot (RATE −2) and the central compartment (RATE −1)',
    model: new ClosedFormOneCompartmentOral({ ka: 0.9, cl: 3, v: 20 }),
    params: { ka: 0.9, cl: 3, v: 20 },
    doses: [
      dose({ time: 0, addl: 3, ii: 12, row: 2 }),
      dose({ time: 5, rate: -2, amount: 60, row: 3 }),
      dose({ time: 9, cmt: 2, rate: -1, amount: 40, row: 4 }),
    ],
    modifiers: {
      lag: { 1: 0.7 },
      bioavailability: { 1: 0.6 },
      duration: { 1: 3 },
      rate: { 2: 15 },
    },
  },
  {
    name: 'two compartments IV: DUR infusions, SS 1 bolus with ADDL, SS 2 infusion longer than II',
    model: new ClosedFormTwoCompartment({ cl: 4, v: 25, q: 6, v2: 70 }),
    params: { cl: 4, v: 25, q: 6, v2: 70 },
    doses: [
      dose({ time: 0, duration: 2, amount: 120, row: 2 }),
      dose({ time: 10, ss: 1, ii: 8, addl: 2, amount: 90, row: 3 }),
      dose({ time: 40, ss: 2, ii: 6, rate: 5, amount: 50, row: 4 }),
    ],
  },
  {
    name: 'two compartments oral: SS 1 with lag longer than II, then a reset-and-dose',
    model: new ClosedFormTwoCompartmentOral({ ka: 1.4, cl: 4, v: 25, q: 6, v2: 70 }),
    params: { ka: 1.4, cl: 4, v: 25, q: 6, v2: 70 },
    doses: [
      dose({ time: 12, ss: 1, ii: 12, addl: 3, amount: 100, row: 2 }),
      dose({ time: 70, reset: true, amount: 200, row: 3 }),
    ],
    modifiers: { lag: { 1: 14.5 }, bioavailability: { 1: 0.9 } },
  },
  {
    name: 'three compartments IV: SS constant infusion stopped by a reset, boluses into a peripheral',
    model: new ClosedFormThreeCompartment({ cl: 4, v: 25, q: 6, v2: 70, q3: 1.2, v3: 180 }),
    params: { cl: 4, v: 25, q: 6, v2: 70, q3: 1.2, v3: 180 },
    doses: [
      dose({ time: 0, ss: 1, ii: 0, amount: 0, rate: 12, row: 2 }),
      dose({ time: 20, cmt: 3, amount: 40, row: 3 }),
      dose({ time: 45, amount: 100, addl: 3, ii: 4, row: 4 }),
    ],
    resets: [30],
  },
];

describe('closed forms against the matrix exponential of the linear system', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const schedule = regimenSchedule(c);
      const times = grid(0, 80, 0.5);
      const actual = c.model.amountsAt(schedule, times);
      const expected = referenceAmounts(rateMatrix(c.params), schedule, times);
      expect(worstRelative(actual, expected, 1e-6)).toBeLessThan(1e-11);
    });
  }

  it('two compartments oral with ka equal to α or to β (a defective system matrix)', () => {
    const base = { cl: 4, v: 25, q: 6, v2: 70 };
    const rates = new ClosedFormTwoCompartment(base).macroRates;
    for (const ka of [rates[0], rates[1]]) {
      const params = { ...base, ka };
      const model = new ClosedFormTwoCompartmentOral(params);
      const schedule = doseSchedule([
        dose({ addl: 2, ii: 10 }),
        dose({ time: 3, rate: 20, amount: 50 }),
        dose({ time: 4, ss: 2, ii: 10 }),
      ]);
      const times = grid(0, 40, 1);
      const worst = worstRelative(
        model.amountsAt(schedule, times),
        referenceAmounts(rateMatrix(params), schedule, times),
        1e-6,
      );
      expect(worst).toBeLessThan(1e-11);
    }
  });

  it('output side: "left" gives the amounts before the events at that time', () => {
    const model = new ClosedFormOneCompartment({ cl: 3, v: 20 });
    const schedule = doseSchedule([dose({ time: 0, addl: 1, ii: 10 })]);
    const right = model.amountsAt(schedule, [10]);
    const left = model.amountsAt(schedule, [10], undefined, 'left');
    expect(right[0] - left[0]).toBeCloseTo(100, 12);
    expect(left[0]).toBeCloseTo(100 * Math.exp(-1.5), 12);
  });
});

describe('analytic steady state', () => {
  const regimens: [string, ClosedFormPkModel, DoseRecord, DoseModifiers][] = [
    [
      'IV bolus',
      new ClosedFormTwoCompartment({ cl: 4, v: 25, q: 6, v2: 70 }),
      dose({ ss: 1, ii: 12 }),
      {},
    ],
    [
      'IV infusion (D < II)',
      new ClosedFormThreeCompartment({ cl: 4, v: 25, q: 6, v2: 70, q3: 3, v3: 40 }),
      dose({ ss: 1, ii: 12, rate: 40 }),
      {},
    ],
    [
      'IV infusion (D > II) with lag',
      new ClosedFormTwoCompartment({ cl: 4, v: 25, q: 6, v2: 70 }),
      dose({ ss: 1, ii: 8, rate: 5 }),
      { lag: { 1: 3 } },
    ],
    [
      'oral with lag',
      new ClosedFormTwoCompartmentOral({ ka: 0.8, cl: 4, v: 25, q: 6, v2: 70 }),
      dose({ ss: 1, ii: 24 }),
      { lag: { 1: 1.5 }, bioavailability: { 1: 0.5 } },
    ],
    [
      'oral with lag > II',
      new ClosedFormOneCompartmentOral({ ka: 0.8, cl: 4, v: 25 }),
      dose({ ss: 1, ii: 6 }),
      { lag: { 1: 8 } },
    ],
    [
      'zero-order input into the depot',
      new ClosedFormOneCompartmentOral({ ka: 0.8, cl: 4, v: 25 }),
      dose({ ss: 1, ii: 6, duration: 2 }),
      {},
    ],
  ];
  for (const [name, model, record, modifiers] of regimens) {
    it(`${name}: equals the state before dose 201 of 200 transient doses`, () => {
      const ii = record.ii;
      const [ss] = doseSchedule([{ ...record, time: 200 * ii }], [], modifiers).steadyStates;
      const analytic = model.steadyState(periodicInput(ss));
      const train = doseSchedule([{ ...record, ss: 0, addl: 199, time: 0 }], [], modifiers);
      // Implied doses delivered after the record time (lag ≥ II, infusions longer than II) are
      // not part of the steady state: take the train's state at 200·II from the left.
      const simulated = model.amountsAt(train, [200 * ii], undefined, 'left');
      for (let k = 0; k < model.compartments; k++) {
        expect(Math.abs(simulated[k] - analytic[k])).toBeLessThan(
          1e-10 * Math.abs(analytic[k]) + 1e-12,
        );
      }
    });
  }
});

describe('properties', () => {
  const doseArb = (compartments: number) =>
    fc.record({
      time: fc.integer({ min: 0, max: 40 }).map((t) => t / 2),
      cmt: fc.integer({ min: 1, max: compartments }),
      amount: fc.double({ min: 1, max: 500, noNaN: true }),
      kind: fc.constantFrom('bolus', 'rate', 'duration'),
      length: fc.double({ min: 0.25, max: 10, noNaN: true }),
      addl: fc.integer({ min: 0, max: 3 }),
      ii: fc.integer({ min: 1, max: 24 }),
      ss: fc.constantFrom(0, 0, 1, 2),
    });
  const toRecords = (
    list: {
      time: number;
      cmt: number;
      amount: number;
      kind: string;
      length: number;
      addl: number;
      ii: number;
      ss: number;
    }[],
  ): DoseRecord[] =>
    list.map((d, i) => {
      const ss = d.ss as 0 | 1 | 2;
      return dose({
        time: d.time,
        cmt: d.cmt,
        amount: d.amount,
        rate: d.kind === 'rate' ? d.amount / d.length : 0,
        duration: d.kind === 'duration' ? d.length : 0,
        addl: d.addl,
        ii: d.addl > 0 || ss > 0 ? d.ii : 0,
        ss,
        row: i + 2,
      });
    });

  it('two compartments oral: random parameters and regimens agree with the matrix-exponential simulation', () => {
    fc.assert(
      fc.property(
        fc.record({
          ka: fc.double({ min: 0.05, max: 5, noNaN: true }),
          cl: fc.double({ min: 0.5, max: 20, noNaN: true }),
          v: fc.double({ min: 5, max: 100, noNaN: true }),
          q: fc.double({ min: 0.5, max: 20, noNaN: true }),
          v2: fc.double({ min: 5, max: 200, noNaN: true }),
        }),
        fc.array(doseArb(3), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0, max: 1.5, noNaN: true }),
        (params, list, lag) => {
          const schedule = doseSchedule(toRecords(list), [], { lag: { 1: lag } });
          const model = new ClosedFormTwoCompartmentOral(params);
          const times = grid(0, 48, 1.5);
          const worst = worstRelative(
            model.amountsAt(schedule, times),
            referenceAmounts(rateMatrix(params), schedule, times),
            1e-3,
          );
          expect(worst).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('superposition: the amounts of two transient regimens add up', () => {
    fc.assert(
      fc.property(
        fc.array(doseArb(3), { minLength: 1, maxLength: 4 }),
        fc.array(doseArb(3), { minLength: 1, maxLength: 4 }),
        (a, b) => {
          const transient = (list: typeof a) => toRecords(list.map((d) => ({ ...d, ss: 0 })));
          const model = new ClosedFormThreeCompartment({
            cl: 4,
            v: 25,
            q: 6,
            v2: 70,
            q3: 1.2,
            v3: 180,
          });
          const times = grid(0, 60, 0.75);
          const both = model.amountsAt(doseSchedule([...transient(a), ...transient(b)]), times);
          const first = model.amountsAt(doseSchedule(transient(a)), times);
          const second = model.amountsAt(doseSchedule(transient(b)), times);
          for (let i = 0; i < both.length; i++) {
            expect(Math.abs(both[i] - first[i] - second[i])).toBeLessThan(
              1e-12 * (Math.abs(both[i]) + 1),
            );
          }
        },
      ),
    );
  });

  it('steady state is a fixed point: one more interval of the regimen returns to it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        fc.double({ min: 0.5, max: 48, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
        fc.constantFrom('bolus', 'infusion'),
        (ka, ii, lag, kind) => {
          const model = new ClosedFormTwoCompartmentOral({ ka, cl: 4, v: 25, q: 6, v2: 70 });
          const record = dose({ time: 100, ss: 1, ii, rate: kind === 'infusion' ? 7 : 0 });
          const schedule = doseSchedule([record], [], { lag: { 1: lag } });
          // The state at 100 + II (left) must equal the steady state at 100: the implied doses
          // carried over plus the record's own dose are exactly one more interval.
          const continued = doseSchedule([{ ...record, addl: 0 }], [], { lag: { 1: lag } });
          const at = model.amountsAt(continued, [100, 100 + ii], undefined, 'left');
          const ss = model.steadyState(periodicInput(schedule.steadyStates[0]));
          for (let k = 0; k < 3; k++) {
            expect(Math.abs(at[3 + k] - ss[k])).toBeLessThan(1e-10 * (Math.abs(ss[k]) + 1e-3));
          }
        },
      ),
    );
  });
});

describe('errors and hot-path behaviour', () => {
  it('names the parameter at fault and rejects decreasing output times', () => {
    expect(() => new ClosedFormTwoCompartment({ cl: 4, v: 25, q: -1, v2: 70 })).toThrow(
      /two-compartment model: parameter q must be finite and > 0, got -1/,
    );
    const model = new ClosedFormOneCompartment({ cl: 3, v: 20 });
    expect(() => model.amountsAt(doseSchedule([dose({})]), [2, 1])).toThrow(
      /non-decreasing; times\[1\] = 1 follows 2/,
    );
    expect(() => model.amountsAt(doseSchedule([dose({ cmt: 2 })]), [1])).toThrow(
      /dose row 2: CMT 2 is not a compartment of a model with 1/,
    );
  });

  it('evaluation with a compiled timeline and an output buffer allocates nothing', () => {
    // Measured in a child process with --expose-gc (young-generation growth per call).
    const script = `
      import { bytesAllocatedPerCall } from './bench/harness.ts';
      import { ClosedFormTwoCompartmentOral } from './src/pharmacometrics/closed-form/two-compartment.ts';
      import { doseSchedule } from './src/pharmacometrics/dosing/build-dose-schedule.ts';
      import { doseTimeline } from './src/pharmacometrics/dosing/dose-timeline.ts';
      const base = { time: 0, cmt: 1, amount: 100, rate: 0, duration: 0, ii: 0, addl: 0, ss: 0, reset: false, row: 2 };
      const schedule = doseSchedule([
        { ...base, ss: 1, ii: 12, addl: 20 },
        { ...base, time: 5, cmt: 2, rate: 30, addl: 10, ii: 24, row: 3 },
      ], [], { lag: { 1: 0.5 } });
      const model = new ClosedFormTwoCompartmentOral({ ka: 1, cl: 4, v: 25, q: 6, v2: 70 });
      const timeline = doseTimeline(schedule, 3);
      const times = Float64Array.from({ length: 50 }, (_, i) => i * 5);
      const out = new Float64Array(50);
      const params = { ka: 1, cl: 4, v: 25, q: 6, v2: 70 };
      const perCall = await bytesAllocatedPerCall(() => {
        model.setParameters(params);
        model.concentrationsAt(timeline, times, out);
      }, 2000);
      console.log(JSON.stringify({ perCall }));
    `;
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--min-semi-space-size=64',
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8' },
    );
    const { perCall } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { perCall: number };
    expect(perCall).toBeLessThan(1);
  });
});
