// Stop, event and save times a rounding error apart (0.3 and 0.1 + 0.2; an ADDL dose at
// 2.4000000000000004 beside a record at 2.4) are one time: every method, the forward
// sensitivities and the adjoints give the solution with the times merged (they failed with
// DtLessThanMin after stepping a few ulp from one to the other), and a sliver of a landing step
// does not become the next step size.
import { describe, expect, it } from 'vitest';
import {
  bolus,
  odeObjective,
  odeProblem,
  solve,
  type MethodName,
  type OdeObjectiveSpec,
  type SensitivityMethod,
} from '../../src/index.ts';
import { solveWithOdex } from '../../solvers/index.ts';
import { oneCompartmentOral } from '../../models/pk/one-compartment-oral.ts';

const NEAR = 0.1 + 0.2; // 0.30000000000000004
const ADDL = 2.4000000000000004; // 0.3 · 8 by repeated addition, as an ADDL expansion gives

/** Depot and central, first-order absorption and elimination. */
const pk = odeProblem({
  f: (du, u) => {
    du[0] = -1.3 * u[0];
    du[1] = 1.3 * u[0] - 0.2 * u[1];
  },
  jac: (J) => {
    J[0] = -1.3;
    J[1] = 0;
    J[2] = 1.3;
    J[3] = -0.2;
  },
  u0: [100, 0],
  tspan: [0, 6],
  autonomous: true,
});

const dose = (time: number, amount: number) => ({
  time,
  apply: (u: Float64Array) => void (u[0] += amount),
});

const METHODS: MethodName[] = [
  'Tsit5',
  'DP5',
  'BS3',
  'Vern7',
  'Rodas5P',
  'Rodas4',
  'Rosenbrock23',
  'auto',
];

describe('times a rounding error apart are one time', () => {
  expect(NEAR).not.toBe(0.3);
  expect(ADDL).not.toBe(2.4);

  for (const method of METHODS) {
    it(`${method}: tstops [0.1 + 0.2, 0.3] and doses at 2.4 and 2.4000000000000004 give the merged-time solution`, () => {
      const options = { rtol: 1e-10, atol: 1e-12, saveat: [1, 2.4, NEAR, 6] };
      const sol = solve(pk, method, {
        ...options,
        tstops: [NEAR, 0.3],
        events: [dose(2.4, 50), dose(ADDL, 50)],
      });
      const merged = solve(pk, method, {
        ...options,
        tstops: [0.3],
        events: [dose(2.4, 50), dose(2.4, 50)],
      });
      expect(sol.retcode, sol.message).toBe('Success');
      expect(merged.retcode).toBe('Success');
      // The caller's save times are reported as given.
      expect(Array.from(sol.t)).toEqual([NEAR, 1, 2.4, 6]);
      for (let k = 0; k < sol.u.length; k++)
        expect(Math.abs(sol.u[k] - merged.u[k]), `u[${k}]`).toBeLessThan(
          1e-10 * (1 + Math.abs(merged.u[k])),
        );
      // One event record for the two doses, the state after both at 2.4.
      expect(sol.events.map((e) => e.t)).toEqual([2.4]);
      expect(sol.events[0].after[0] - sol.events[0].before[0]).toBeCloseTo(100, 9);
      expect(sol.state(2)[0]).toBeCloseTo(sol.events[0].after[0], 12);
      // Against the closed form of the depot: 100·e^(−1.3t) + 100·e^(−1.3(t − 2.4)).
      expect(sol.final[0]).toBeCloseTo(100 * Math.exp(-1.3 * 6) + 100 * Math.exp(-1.3 * 3.6), 6);
    });
  }

  it('odex: the same merged-time solution', () => {
    const sol = solveWithOdex(pk, {
      rtol: 1e-10,
      atol: 1e-12,
      saveat: [1, 2.4, 6],
      tstops: [NEAR, 0.3],
      events: [dose(2.4, 50), dose(ADDL, 50)],
    });
    expect(sol.retcode, sol.message).toBe('Success');
    expect(sol.events.map((e) => e.t)).toEqual([2.4]);
    expect(sol.final[0]).toBeCloseTo(100 * Math.exp(-1.3 * 6) + 100 * Math.exp(-1.3 * 3.6), 6);
  });

  it('a save time a rounding error past t₁ is t₁; a stop next to t₀ is stepped over', () => {
    const p = odeProblem({ f: (du, u) => void (du[0] = -u[0]), u0: [1], tspan: [0, 0.3] });
    const sol = solve(p, 'Tsit5', { saveat: [NEAR], tstops: [1e-17], rtol: 1e-10, atol: 1e-12 });
    expect(sol.retcode, sol.message).toBe('Success');
    expect(Array.from(sol.t)).toEqual([NEAR]);
    expect(sol.final[0]).toBeCloseTo(Math.exp(-0.3), 9);
  });

  it('the step after a short landing step continues from the step proposed before it', () => {
    // A stop 1e-9 after another: the landing sliver must not shrink the steps that follow.
    const p = odeProblem({ f: (du, u) => void (du[0] = -u[0]), u0: [1], tspan: [0, 10] });
    const plain = solve(p, 'Tsit5', { tstops: [1] });
    const sliver = solve(p, 'Tsit5', { tstops: [1, 1 + 1e-9] });
    expect(sliver.retcode).toBe('Success');
    expect(sliver.stats.acceptedSteps).toBeLessThanOrEqual(plain.stats.acceptedSteps + 2);
  });
});

describe('sensitivities cross merged dose times', () => {
  const model = oneCompartmentOral({}, { dose: 100 });
  const doseIndex = model.offset('dose');
  const p = model.initialParameters();
  const times = [0.5, 1, 2.4, 3, 4.5];
  const observed = [1.5, 2.2, 2.0, 4.1, 3.0];
  const spec = (doseTimes: [number, number], sensitivity: SensitivityMethod): OdeObjectiveSpec => ({
    model,
    u0: [0, 0],
    data: { times, values: observed },
    observe: model.observation({ conc: 'conc' }),
    events: [
      bolus(0, 0, { parameter: doseIndex }),
      bolus(doseTimes[0], 0, 60),
      bolus(doseTimes[1], 0, 40),
    ],
    rtol: 1e-10,
    atol: 1e-10,
    sensitivity,
  });
  for (const sensitivity of ['forward', 'quadrature', 'interpolating', 'backsolve'] as const) {
    it(`${sensitivity}: doses at 2.4 and 2.4000000000000004 give the merged-time loss and gradient`, () => {
      const g = new Float64Array(p.length);
      const gMerged = new Float64Array(p.length);
      const loss = odeObjective(spec([2.4, ADDL], sensitivity)).valueAndGradient(p, g);
      const merged = odeObjective(spec([2.4, 2.4], sensitivity)).valueAndGradient(p, gMerged);
      expect(Math.abs(loss - merged)).toBeLessThan(1e-10 * Math.abs(merged));
      for (let k = 0; k < p.length; k++)
        expect(Math.abs(g[k] - gMerged[k]), `∂L/∂p${k}`).toBeLessThan(
          1e-10 * (1 + Math.abs(gMerged[k])),
        );
      expect(Math.abs(g[doseIndex])).toBeGreaterThan(1e-4);
    });
  }
});
