/**
 * `scheduleEvents`: a dose schedule as solver events for a plain `solve`.
 *
 * - Boluses add to u[CMT − 1] (differentiable `bolus` events).
 * - Infusions: at every time the total rate into CMT k changes, an event writes it into p at
 *   `rateParameters[k]` — the model reads it as an input term (`rate_central` in
 *   `central: 'rate_central - cl/v*central'`; see `infusion-inputs.ts`). `solve` works on a copy
 *   of p, so the caller's p is untouched; the rate entries of p should start at 0.
 * - Resets (EVID 3/4) set u to `initialState` (zeros by default; a PD baseline otherwise).
 * - Steady-state doses set u to (SS 1) or add to u (SS 2) what `steadyState` returns: the state
 *   at the record time before the record's own dose, e.g. `steadyStateByIteration(…)` for any
 *   model or a closed-form model's analytic steady state.
 *
 * Events at one time run as the timeline orders them: reset, steady state, rates, boluses.
 */
import { ScichainError } from '../../core/errors.ts';
import type { TimedEvent } from '../../../solvers/options.ts';
import { bolus, type DifferentiableEvent } from '../../../solvers/sensitivity/events.ts';
import type { DoseSchedule } from './dose-schedule.ts';
import { doseTimeline, TimelineAction, type DoseTimeline } from './dose-timeline.ts';
import type { RateParameters } from './infusion-inputs.ts';
import type { PeriodicInput } from './periodic-input.ts';

/**
 * The steady state of a regimen at its record time (before the record's own dose), given the
 * state `current` and parameters `p` at that time; returns n values.
 */
export type SteadyStateFunction = (
  input: PeriodicInput,
  current: Float64Array,
  p: Float64Array,
) => ArrayLike<number>;

/** Options of {@link scheduleEvents}. */
export interface ScheduleEventOptions {
  /** Number of states of the model (CMT k is state k − 1). */
  readonly stateCount: number;
  /** CMT → index in p of its infusion-rate parameter; needed for every infused compartment. */
  readonly rateParameters?: RateParameters;
  /** The state a reset returns to (default: zeros). */
  readonly initialState?: ArrayLike<number>;
  /** Needed when the schedule has steady-state doses. */
  readonly steadyState?: SteadyStateFunction;
}

function isTimeline(s: DoseSchedule | DoseTimeline): s is DoseTimeline {
  return 'action' in s;
}

/** The solver events of a schedule (pass them as `solve(problem, method, { events })`). */
export function scheduleEvents(
  schedule: DoseSchedule | DoseTimeline,
  options: ScheduleEventOptions,
): TimedEvent[] {
  const n = options.stateCount;
  const timeline = isTimeline(schedule) ? schedule : doseTimeline(schedule, n);
  if (timeline.compartments > n) {
    throw new ScichainError(
      'InvalidArgument',
      `the timeline was compiled for ${timeline.compartments} compartments but the model has ${n} states`,
    );
  }
  const initial = new Float64Array(n);
  if (options.initialState !== undefined) {
    if (options.initialState.length !== n) {
      throw new ScichainError(
        'ShapeMismatch',
        `initialState has ${options.initialState.length} entries but the model has ${n} states`,
      );
    }
    initial.set(Array.from(options.initialState));
  }
  const rateIndex = (k: number, row: number): number => {
    const index = options.rateParameters?.[k + 1];
    if (index === undefined || !Number.isInteger(index) || index < 0) {
      throw new ScichainError(
        'InvalidArgument',
        `dose row ${row} infuses CMT ${k + 1}, but no infusion-rate parameter is given for it ` +
          '(rateParameters: CMT → index in p, e.g. from infusionRateParameters(model))',
      );
    }
    return index;
  };

  const events: TimedEvent[] = [];
  for (let i = 0; i < timeline.length; i++) {
    const time = timeline.time[i];
    const k = timeline.index[i];
    const value = timeline.value[i];
    const row = timeline.row[i];
    switch (timeline.action[i]) {
      case TimelineAction.Reset: {
        const reset: DifferentiableEvent = {
          time,
          name: `reset at t = ${time}`,
          apply(u) {
            u.set(initial);
          },
          vjp(lambda) {
            lambda.fill(0); // the state after a reset does not depend on the state before
          },
        };
        events.push(reset);
        break;
      }
      case TimelineAction.SteadyState: {
        const input = timeline.steadyStates[value];
        const steadyState = options.steadyState;
        if (steadyState === undefined) {
          throw new ScichainError(
            'InvalidArgument',
            `dose row ${row} is a steady-state dose (SS ${input.dose.mode}); pass a steadyState ` +
              'function (e.g. steadyStateByIteration(system))',
          );
        }
        const mode = input.dose.mode;
        events.push({
          time,
          name: `SS ${mode} dose (row ${row}) at t = ${time}`,
          apply(u, p) {
            const ss = steadyState(input, u, p);
            if (ss.length !== n) {
              throw new ScichainError(
                'ShapeMismatch',
                `the steady state of dose row ${row} has ${ss.length} entries, the model ${n}`,
              );
            }
            for (let j = 0; j < n; j++) u[j] = mode === 1 ? ss[j] : u[j] + ss[j];
          },
        });
        break;
      }
      case TimelineAction.SetRate: {
        const index = rateIndex(k, row);
        const setRate: DifferentiableEvent = {
          time,
          name: `infusion rate into CMT ${k + 1} becomes ${value} at t = ${time} (row ${row})`,
          apply(_u, p) {
            if (index >= p.length) {
              throw new ScichainError(
                'InvalidArgument',
                `the infusion-rate parameter of CMT ${k + 1} is p[${index}], but p has ${p.length} entries`,
              );
            }
            p[index] = value;
          },
          vjp() {
            // The state passes through; the rate is data, not a differentiated parameter (forward
            // sensitivities see it through the solve's working p).
          },
        };
        events.push(setRate);
        break;
      }
      default:
        events.push(
          bolus(time, k, value, `bolus of ${value} into CMT ${k + 1} at t = ${time} (row ${row})`),
        );
    }
  }
  return events;
}
