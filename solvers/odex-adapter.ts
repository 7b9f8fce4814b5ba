/**
 * Runs a problem through the `odex` package — Hairer & Wanner's ODEX (Gragg–Bulirsch–Stoer
 * extrapolation) ported to JavaScript — and returns an `OdeSolution` like `solve` does: an
 * independent cross-check, and a good method for smooth problems at tight tolerances.
 *
 * Mapping: rtol/atol (scalar or per component) and maxSteps go to the solver; its evaluation and
 * step counts to `stats`; `MaxStepsExceeded` to `MaxIters`, a non-finite state to `Unstable`.
 * Stop times and events split the integration into segments (ODEX has no events); `saveat` uses
 * ODEX's dense output inside each segment. ODEX's interpolant lives only inside its callback, so
 * the solution keeps no dense output (`at` is unavailable).
 */
// odex is CommonJS: a default import is its module.exports in Node and in bundlers. Its typings
// come from solvers/odex-types.d.ts (tsconfig `paths`): odex ships TypeScript source that does
// not pass strict checks.
import odex from 'odex';
import { ScichainError } from '../src/core/errors.ts';
import { normalizeOptions, type SolveOptions } from './options.ts';
import type { OdeProblem } from '../src/core/ode-problem.ts';
import { emptyStats, type ReturnCode } from './return-code.ts';
import { OdeSolution, type EventRecord } from './solution.ts';

/** Solves with ODEX; see the module comment for what is mapped and how. */
export function solveWithOdex(problem: OdeProblem, options: SolveOptions = {}): OdeSolution {
  if (options.dense)
    throw new ScichainError(
      'InvalidArgument',
      'the odex adapter keeps no dense output (ODEX interpolates only inside its callback)',
    );
  const o = normalizeOptions(problem, { ...options, dense: false }, true);
  const n = problem.n;
  const [t0, t1] = problem.tspan;
  const dir = t1 > t0 ? 1 : -1;
  const p = Float64Array.from(problem.p);
  const stats = emptyStats();
  const uIn = new Float64Array(n);
  const du = new Float64Array(n);
  const derivative = (t: number, y: number[]): number[] => {
    for (let i = 0; i < n; i++) uIn[i] = y[i];
    problem.f(du, uIn, p, t);
    return Array.from(du);
  };
  const solver = new odex.Solver(n);
  solver.relativeTolerance = o.rtol;
  solver.absoluteTolerance = Array.from(o.atol);
  solver.maxSteps = o.maxSteps;
  // ODEX's dense output costs extra work: ask for it only if a save time falls inside a segment.
  const stopTimes = new Set([t0, ...o.stops]);
  solver.denseOutput = o.saveat !== null && Array.from(o.saveat).some((ts) => !stopTimes.has(ts));
  if (options.dtmax !== undefined) solver.maxStepSize = o.dtmax;
  if (options.dt !== undefined) solver.initialStepSize = o.dt ?? solver.initialStepSize;

  const savedT: number[] = [];
  const savedU: number[] = [];
  const events: EventRecord[] = [];
  let u = Array.from(problem.u0);
  let t = t0;
  let nextSave = 0;
  let nextEvent = 0;
  const saveExactly = (time: number): void => {
    while (o.saveat !== null && nextSave < o.saveat.length && o.saveat[nextSave] === time) {
      savedT.push(o.saveatReported![nextSave]);
      savedU.push(...u);
      nextSave++;
    }
  };
  const applyEvents = (time: number): boolean => {
    if (!(nextEvent < o.events.length && o.eventTimes[nextEvent] === time)) return false;
    const state = Float64Array.from(u);
    const before = state.slice();
    while (nextEvent < o.events.length && o.eventTimes[nextEvent] === time) {
      o.events[nextEvent].apply(state, p, time);
      nextEvent++;
    }
    events.push({ t: time, before, after: state.slice() });
    u = Array.from(state);
    return true;
  };
  const finish = (retcode: ReturnCode, message: string): OdeSolution =>
    new OdeSolution({
      t: Float64Array.from(savedT),
      u: Float64Array.from(savedU),
      n,
      retcode,
      message,
      stats,
      method: 'odex',
      events,
      tEnd: t,
      dense: null,
    });

  const start = u.slice();
  const hadEvents = applyEvents(t0);
  if (o.saveat === null) {
    savedT.push(t0);
    savedU.push(...start);
    if (hadEvents) {
      savedT.push(t0);
      savedU.push(...u);
    }
  } else saveExactly(t0);

  for (const stop of o.stops) {
    const segmentStart = t;
    const result = solver.solve(
      derivative,
      t,
      u,
      stop,
      (
        step: number,
        xOld: number,
        x: number,
        y: number[],
        interpolate?: (c: number, x: number) => number,
      ) => {
        if (step === 1) return;
        if (o.saveat === null) {
          savedT.push(x);
          savedU.push(...y);
        } else {
          while (
            nextSave < o.saveat.length &&
            dir * (o.saveat[nextSave] - x) < 0 &&
            dir * (o.saveat[nextSave] - xOld) >= 0
          ) {
            const ts = o.saveat[nextSave];
            savedT.push(o.saveatReported![nextSave]);
            for (let i = 0; i < n; i++) savedU.push(ts === xOld ? y[i] : interpolate!(i, ts));
            nextSave++;
          }
        }
      },
    );
    stats.rhsCalls += result.nEval;
    stats.acceptedSteps += result.nAccept;
    stats.rejectedSteps += result.nReject;
    if (result.outcome !== 0) {
      t = result.xEnd;
      return finish(
        'MaxIters',
        `odex reached maxSteps = ${o.maxSteps} in the segment ${segmentStart} → ${stop} (at t = ${result.xEnd})`,
      );
    }
    if (result.y.some((v: number) => !Number.isFinite(v))) {
      return finish(
        'Unstable',
        `the state became non-finite in the segment ${segmentStart} → ${stop}`,
      );
    }
    u = result.y;
    t = stop;
    if (applyEvents(t) && o.saveat === null) {
      savedT.push(t);
      savedU.push(...u);
    }
    saveExactly(t);
  }
  return finish('Success', '');
}
