// Events at known times: a one-compartment model with first-order absorption, three oral bolus
// doses and a 2-hour infusion into the central compartment, against its closed form.
import { describe, expect, it } from 'vitest';
import { odeProblem, solve, type MethodName } from '../../src/index.ts';
import { solveWithOdex, type TimedEvent } from '../../solvers/index.ts';

const ka = 1.3;
const k = 0.25;
const doses = [
  { time: 0, amount: 100 },
  { time: 6, amount: 80 },
  { time: 12.5, amount: 120 },
];
const infusion = { start: 3, duration: 2, rate: 25 };

/** Closed form by superposition: depot, central. */
function exact(t: number): [number, number] {
  let depot = 0;
  let central = 0;
  for (const d of doses) {
    if (t < d.time) continue;
    const s = t - d.time;
    depot += d.amount * Math.exp(-ka * s);
    central += ((d.amount * ka) / (ka - k)) * (Math.exp(-k * s) - Math.exp(-ka * s));
  }
  const { start, duration, rate } = infusion;
  if (t > start) {
    const on = Math.min(t, start + duration) - start;
    central += (rate / k) * (1 - Math.exp(-k * on)) * Math.exp(-k * (t - start - on));
  }
  return [depot, central];
}

const problem = odeProblem({
  f: (du, u, p) => {
    du[0] = -ka * u[0];
    du[1] = ka * u[0] - k * u[1] + p[0];
  },
  u0: [0, 0],
  p: new Float64Array([0]), // infusion rate, switched by events
  tspan: [0, 24],
});

const events: TimedEvent[] = [
  ...doses.map((d) => ({
    time: d.time,
    name: `dose at ${d.time} h`,
    apply: (u: Float64Array) => void (u[0] += d.amount),
  })),
  {
    time: infusion.start,
    name: 'infusion on',
    apply: (_u: Float64Array, p: Float64Array) => void (p[0] = infusion.rate),
  },
  {
    time: infusion.start + infusion.duration,
    name: 'infusion off',
    apply: (_u: Float64Array, p: Float64Array) => void (p[0] = 0),
  },
];
const eventTimes = [...new Set(events.map((e) => e.time))].sort((a, b) => a - b);
const checkTimes = [0.5, 2.9, 3, 4, 5, 5.01, 6, 8, 12.5, 13, 20, 24];

describe('events at known times', () => {
  for (const method of ['Tsit5', 'DP5', 'Vern7', 'Rodas5P', 'auto'] as MethodName[]) {
    it(`${method}: matches the closed form to 1e-9 at rtol 1e-12, landing exactly on every dose time`, () => {
      const sol = solve(problem, method, { rtol: 1e-12, atol: 1e-12, events });
      expect(sol.retcode).toBe('Success');
      // Steps end exactly at each event time (saved twice: before and after the event).
      for (const te of eventTimes) expect(Array.from(sol.t).filter((t) => t === te).length).toBe(2);
      for (const t of checkTimes) {
        const [a, c] = exact(t);
        const u = sol.at(t);
        expect(Math.abs(u[0] - a)).toBeLessThanOrEqual(1e-9 * Math.max(1, a));
        expect(Math.abs(u[1] - c)).toBeLessThanOrEqual(1e-9 * Math.max(1, c));
      }
      // Before and after each dose, exactly: the jump is the dose.
      expect(sol.events.map((e) => e.t)).toEqual(eventTimes);
      for (const d of doses) {
        const record = sol.events.find((e) => e.t === d.time)!;
        expect(record.after[0] - record.before[0]).toBeCloseTo(d.amount, 12);
        const aBefore = exact(d.time)[0] - d.amount; // the closed form is right-continuous
        expect(Math.abs(record.before[0] - aBefore)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, aBefore),
        );
      }
      // The left limit at a dose time is the state before the dose.
      expect(sol.at(6, undefined, 'left')[0]).toBeCloseTo(
        sol.events.find((e) => e.t === 6)!.before[0],
        12,
      );
    });
  }

  it('saveat at an event time gives the state after the event; the caller’s p is not modified', () => {
    const sol = solve(problem, 'Tsit5', {
      rtol: 1e-12,
      atol: 1e-12,
      events,
      saveat: [6, 12.5, 24],
    });
    expect(Array.from(sol.t)).toEqual([6, 12.5, 24]);
    expect(sol.state(0)[0]).toBeCloseTo(exact(6)[0], 9);
    expect(sol.hasDense).toBe(false);
    expect(problem.p[0]).toBe(0);
  });

  it('odex gives the same answer through segments between events', () => {
    const sol = solveWithOdex(problem, { rtol: 1e-12, atol: 1e-12, events, saveat: checkTimes });
    expect(sol.retcode).toBe('Success');
    checkTimes.forEach((t, i) => {
      const [a, c] = exact(t);
      expect(Math.abs(sol.state(i)[0] - a)).toBeLessThanOrEqual(1e-8 * Math.max(1, a));
      expect(Math.abs(sol.state(i)[1] - c)).toBeLessThanOrEqual(1e-8 * Math.max(1, c));
    });
  });
});

describe('backward integration', () => {
  it('reproduces the forward solution (explicit and stiff)', () => {
    const oscillator = odeProblem({
      f: (du, u, _p, t) => {
        du[0] = u[1];
        du[1] = -u[0] - 0.1 * Math.sin(t) * u[1];
      },
      u0: [1, 0],
      tspan: [0, 8],
    });
    for (const method of ['Tsit5', 'Vern7', 'Rodas5P'] as MethodName[]) {
      const forward = solve(oscillator, method, { rtol: 1e-11, atol: 1e-11 });
      const back = solve(
        odeProblem({ f: oscillator.f, u0: forward.final, tspan: [8, 0] }),
        method,
        { rtol: 1e-11, atol: 1e-11 },
      );
      expect(back.retcode).toBe('Success');
      expect(back.final[0]).toBeCloseTo(1, 8);
      expect(back.final[1]).toBeCloseTo(0, 8);
      // And the backward dense output agrees with the forward one in between.
      expect(back.at(3.7)[0]).toBeCloseTo(forward.at(3.7)[0], 8);
      expect(back.t[1]).toBeLessThan(8);
    }
  });
});

describe('stops and step limits', () => {
  const decay = odeProblem({ f: (du, u) => void (du[0] = -u[0]), u0: [1], tspan: [0, 10] });

  it('lands every step sequence exactly on tstops', () => {
    const tstops = [0.3, 1 / 3, 2.5, 7.123456789];
    for (const method of ['Tsit5', 'Rodas5P', 'Vern7'] as MethodName[]) {
      const sol = solve(decay, method, { tstops, rtol: 1e-6 });
      for (const ts of tstops) expect(Array.from(sol.t)).toContain(ts);
      expect(sol.final[0]).toBeCloseTo(Math.exp(-10), 7);
    }
  });

  it('keeps every step within dtmax and saves on a regular grid', () => {
    const sol = solve(decay, 'Tsit5', { dtmax: 0.25 });
    for (let k = 1; k < sol.length; k++)
      expect(sol.t[k] - sol.t[k - 1]).toBeLessThanOrEqual(0.25 + 1e-15);
    const grid = solve(decay, 'Tsit5', { saveat: 2.5, rtol: 1e-10, atol: 1e-12 });
    expect(Array.from(grid.t)).toEqual([0, 2.5, 5, 7.5, 10]);
    grid.t.forEach((t, k) => expect(grid.state(k)[0]).toBeCloseTo(Math.exp(-t), 9));
    expect(grid.matrix().shape).toEqual([5, 1]);
  });
});

describe('events outside the span', () => {
  it('refuses an event before the start, naming it, and ignores events after the end', () => {
    const early = { time: -1, name: 'dose at -1 h', apply: (u: Float64Array) => void (u[0] += 5) };
    for (const method of ['Tsit5', 'Rodas5P', 'auto'] as MethodName[]) {
      expect(() => solve(problem, method, { events: [early] })).toThrow(
        /event dose at -1 h at time -1 is before the start of tspan \[0, 24\]/,
      );
    }
    // Reversed span: "before the start" is after t0 in time.
    const backward = odeProblem({ ...problem, tspan: [24, 0] });
    expect(() => solve(backward, 'Tsit5', { events: [{ ...early, time: 30 }] })).toThrow(
      /before the start of tspan \[24, 0\]/,
    );
    // After the end: never reached, the solution is the one without it.
    const late = { time: 30, apply: (u: Float64Array) => void (u[0] += 5) };
    const a = solve(problem, 'Tsit5', { events: [...events, late], rtol: 1e-10 });
    const b = solve(problem, 'Tsit5', { events, rtol: 1e-10 });
    expect(a.final[1]).toBe(b.final[1]);
  });
});
