/**
 * The integration loop shared by every method: step-size control, landing exactly on stop and
 * event times, applying events, saving (every step or at `saveat`), dense records, and explicit
 * failure (return code and a message naming the time reached and the reason). Methods plug in
 * through the `Stepper` interface.
 *
 * Bounds: what is stored (states saved at every step, dense records) is counted against
 * `memoryLimit` (`MemoryLimit` when it would be exceeded), and an explicit method crawling
 * through a stiff problem at its stability limit stops (`Stiff`, see `stiffness-stop.ts`).
 * After a landing step shorter than the proposed step (a stop or event time just ahead) the
 * proposal is kept, so a sliver of a step does not become the next step size.
 */
import { ScichainError } from '../src/core/errors.ts';
import { GrowableFloat64 } from './growable.ts';
import type { NormalizedOptions } from './options.ts';
import type { OdeProblem } from '../src/core/ode-problem.ts';
import type { ReturnCode, SolverStats } from './return-code.ts';
import { OdeSolution, type EventRecord } from './solution.ts';
import { initialStepSize, PiController } from './step-size.ts';
import type { Stepper } from './stepper.ts';
import type { StiffnessStop } from './stiffness-stop.ts';

/** Decides, after every accepted step, which of several steppers takes the next one. */
export interface SwitchPolicy {
  /** Index of the stepper for the next step (return `current` to keep it). */
  next(current: number, steppers: readonly Stepper[], t: number, h: number): number;
}

const EPS = 2.220446049250313e-16;

/** Integrates `problem` over its span with the given stepper(s). `p` is the working parameter copy. */
export function integrate(
  problem: OdeProblem,
  p: Float64Array,
  steppers: readonly Stepper[],
  options: NormalizedOptions,
  stats: SolverStats,
  policy: SwitchPolicy | null = null,
  stiffness: StiffnessStop | null = null,
): OdeSolution {
  const n = problem.n;
  const [t0, t1] = problem.tspan;
  const dir = t1 > t0 ? 1 : -1;
  let current = 0;
  let stepper = steppers[0];
  const methods = [stepper.name];
  let controller = new PiController(stepper.errorOrder ?? stepper.order);
  const adaptive = options.adaptive;

  let t = t0;
  let u = Float64Array.from(problem.u0);
  let u1 = new Float64Array(n);
  // Buffers grow by doubling, but not past what memoryLimit allows.
  const most = options.maxStoredFloats;
  const savedT = new GrowableFloat64(options.saveat ? options.saveat.length : 256, most);
  const savedU = new GrowableFloat64(options.saveat ? options.saveat.length * n : 256 * n, most);
  const save = (time: number, state: Float64Array): void => {
    savedT.push(time);
    savedU.append(state);
  };
  const dense = options.dense
    ? {
        start: new GrowableFloat64(64, most),
        h: new GrowableFloat64(64, most),
        offset: new GrowableFloat64(64, most),
        stepper: new GrowableFloat64(64, most),
        records: new GrowableFloat64(1024, most),
      }
    : null;
  const scratchRecord = new Float64Array(Math.max(...steppers.map((s) => s.recordLength)));
  const interpolationPoint = new Float64Array(2); // [θ, h] for the steppers' interpolate
  const events: EventRecord[] = [];
  const saveat = options.saveat;
  const saveatReported = options.saveatReported;
  const eventTimes = options.eventTimes;
  // Floats stored per accepted step: t and u when saving every step, the dense record and its
  // four index entries when keeping dense output.
  const savedPerStep = saveat === null ? 1 + n : 0;
  let storedPerStep = savedPerStep + (dense === null ? 0 : 4 + stepper.recordLength);
  const mostStored = options.maxStoredFloats;
  let nextSave = 0;
  let nextEvent = 0;
  let nextStop = 0;

  const finish = (retcode: ReturnCode, message: string): OdeSolution => {
    const d = dense;
    return new OdeSolution({
      t: savedT.toArray(),
      u: savedU.toArray(),
      n,
      retcode,
      message,
      stats,
      method: methods.join(' → '),
      events,
      tEnd: t,
      dense:
        d === null
          ? null
          : {
              start: d.start.toArray(),
              h: d.h.toArray(),
              offset: d.offset.toArray(),
              stepper: Uint8Array.from(d.stepper.toArray()),
              records: d.records.toArray(),
              steppers,
            },
    });
  };

  /** Applies the events at time `time`; returns whether there were any. */
  const applyEvents = (time: number): boolean => {
    const first = nextEvent;
    while (nextEvent < options.events.length && eventTimes[nextEvent] === time) {
      const before = first === nextEvent ? u.slice() : null;
      const e = options.events[nextEvent];
      e.apply(u, p, time);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(u[i])) {
          throw new ScichainError(
            'NonFinite',
            `event ${e.name ?? nextEvent} at t = ${time} made u[${i}] ${u[i]}`,
          );
        }
      }
      if (before) events.push({ t: time, before, after: u });
      nextEvent++;
    }
    if (nextEvent === first) return false;
    // One record per event time, with the state after all events at that time.
    const record = events[events.length - 1];
    events[events.length - 1] = { t: record.t, before: record.before, after: u.slice() };
    stepper.invalidate();
    controller.reset();
    return true;
  };

  const saveExactly = (time: number): void => {
    while (saveat !== null && nextSave < saveat.length && saveat[nextSave] === time) {
      save(saveatReported![nextSave], u);
      nextSave++;
    }
  };

  // The start: events at t₀, then the first saved points.
  const startState = u.slice();
  const eventsAtStart = applyEvents(t0);
  if (saveat === null) {
    save(t0, eventsAtStart ? startState : u);
    if (eventsAtStart) save(t0, u);
  } else {
    saveExactly(t0);
  }

  let stored = savedT.length + savedU.length;

  // The derivative at the start: a non-finite value here cannot be fixed by smaller steps.
  const f0 = new Float64Array(n);
  problem.f(f0, u, p, t0);
  stats.rhsCalls++;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(f0[i])) {
      const name = problem.stateNames ? ` (${problem.stateNames[i]})` : '';
      return finish(
        'Unstable',
        `the right-hand side returned ${f0[i]} for component ${i}${name} at t = ${t0}`,
      );
    }
  }
  let h =
    options.dt ??
    initialStepSize(
      problem,
      p,
      t0,
      u,
      f0,
      dir,
      stepper.order,
      options.atol,
      options.rtol,
      options.dtmax,
      stats,
    );
  h = Math.min(h, options.dtmax);

  /** [t, h] of the current step, passed to the stepper without boxing doubles. */
  const clock = new Float64Array(2);
  let attempts = 0;
  let lastError = 0;
  while (t !== t1) {
    const stop = options.stops[nextStop];
    const remaining = stop - t;
    let step = dir * h;
    let landing = false;
    if (Math.abs(remaining) <= 1.01 * h) {
      step = remaining;
      landing = true;
    }
    const smallest = Math.max(options.dtmin ?? 0, 16 * EPS * Math.abs(t), 1e-300);
    if (adaptive && Math.abs(step) < smallest && !landing) {
      if (Number.isFinite(lastError))
        return finish(
          'DtLessThanMin',
          `the step size fell to ${Math.abs(step)} (below the minimum ${smallest}) at t = ${t} to meet the tolerances`,
        );
      return finish('Unstable', collapseMessage(problem, u1, lastError, t, smallest));
    }
    if (attempts >= options.maxSteps) {
      return finish(
        'MaxIters',
        `reached maxSteps = ${options.maxSteps} at t = ${t} (of ${t0} → ${t1})`,
      );
    }
    attempts++;
    clock[0] = t;
    clock[1] = step;
    stepper.attempt(clock, u, u1);
    const err = stepper.measures[0];
    lastError = err;
    if (stepper.failure !== null) return finish(stepper.failure.retcode, stepper.failure.message);
    if (!Number.isFinite(err)) {
      if (!adaptive)
        return finish(
          'Unstable',
          `the state became non-finite in the step from t = ${t} to ${t + step}`,
        );
      stats.rejectedSteps++;
      h = controller.rejected(Math.abs(step), err);
      continue;
    }
    if (adaptive && err > 1) {
      stats.rejectedSteps++;
      h = controller.rejected(Math.abs(step), err);
      continue;
    }

    // Accepted.
    const tNew = landing ? stop : t + step;
    const stepSize = tNew - t;
    clock[1] = stepSize; // the step actually taken (a landing step ends exactly on the stop)
    stored += storedPerStep;
    if (stored > mostStored) {
      const steps = dense === null ? -1 : dense.start.length;
      return finish('MemoryLimit', memoryMessage(mostStored, t, savedT.length, steps));
    }
    let record: Float64Array | null = null;
    let recordAt = 0;
    if (dense !== null) {
      recordAt = dense.records.reserve(stepper.recordLength);
      stepper.record(dense.records.buffer, recordAt, clock, u, u1);
      record = dense.records.buffer;
      dense.start.push(t);
      dense.h.push(stepSize);
      dense.offset.push(recordAt);
      dense.stepper.push(current);
    }
    if (saveat !== null) {
      while (nextSave < saveat.length && dir * (saveat[nextSave] - tNew) < 0) {
        if (record === null) {
          stepper.record(scratchRecord, 0, clock, u, u1);
          record = scratchRecord;
        }
        const at = savedU.reserve(n);
        interpolationPoint[0] = (saveat[nextSave] - t) / stepSize;
        interpolationPoint[1] = stepSize;
        stepper.interpolate(
          record,
          recordAt,
          interpolationPoint,
          savedU.buffer.subarray(at, at + n),
        );
        savedT.push(saveat[nextSave]);
        nextSave++;
      }
    }
    stepper.accept(clock, u, u1);
    [u, u1] = [u1, u];
    t = tNew;
    stats.acceptedSteps++;
    if (saveat === null) save(t, u);
    if (landing) {
      nextStop++;
      if (applyEvents(t) && saveat === null) {
        save(t, u);
        stored += 1 + n;
      }
      saveExactly(t);
    }
    if (adaptive) {
      const proposed = controller.accepted(Math.abs(stepSize), err);
      // A landing step cut to a sliver by a stop says nothing about the step the solution
      // allows, and the controller grows at most 10× a step: keep the proposal it was cut from.
      // (Longer landing steps keep the controller's proposal, so step sequences are unchanged.)
      h = landing && 10 * Math.abs(stepSize) < h ? Math.max(proposed, h) : proposed;
    } else h = options.dt ?? h;
    h = Math.min(h, options.dtmax);

    if (stiffness !== null && stiffness.stiff(stepper.measures[1]))
      return finish('Stiff', stiffness.message(stepper.name, t));

    if (policy !== null) {
      const next = policy.next(current, steppers, t, h);
      if (next !== current) {
        current = next;
        stepper = steppers[next];
        storedPerStep = savedPerStep + (dense === null ? 0 : 4 + stepper.recordLength);
        stepper.invalidate();
        controller = new PiController(stepper.errorOrder ?? stepper.order);
        stats.stiffnessSwitches++;
        if (methods[methods.length - 1] !== stepper.name) methods.push(stepper.name);
      }
    }
  }
  return finish('Success', '');
}

// Failure messages, outside the loop's function so that it stays small enough to optimise well.

/** Why the step size collapsed with a non-finite error: the state, or only the error estimate. */
function collapseMessage(
  problem: OdeProblem,
  u1: Float64Array,
  lastError: number,
  t: number,
  smallest: number,
): string {
  let bad = -1;
  for (let i = 0; i < u1.length && bad < 0; i++) if (!Number.isFinite(u1[i])) bad = i;
  if (bad < 0)
    return `the error estimate was ${lastError} near t = ${t} for every step size down to ${smallest} although the candidate state is finite (an error weight atol + rtol·|u| too small for the error: raise atol)`;
  const name = problem.stateNames ? ` (${problem.stateNames[bad]})` : '';
  return `the state became non-finite near t = ${t} (u[${bad}]${name} = ${u1[bad]} in the trial step) for every step size down to ${smallest}`;
}

/** The memory limit was reached (`denseSteps` −1 without dense output). */
function memoryMessage(floats: number, t: number, saved: number, denseSteps: number): string {
  const dense = denseSteps < 0 ? '' : `, ${denseSteps} dense steps`;
  return (
    `the stored solution reached memoryLimit = ${8 * floats} bytes at t = ${t} ` +
    `(${saved} saved states${dense}): ` +
    'pass saveat (and dense: false) to store only the times needed, or raise memoryLimit'
  );
}
