/**
 * A dose schedule compiled into one sorted list of actions on the state — what both the ODE
 * path (`scheduleEvents`) and the closed-form models walk through. At equal times the actions
 * run in this order: reset, steady state, infusion rate changes, boluses (so that an EVID 4
 * dose or an SS dose lands on the reset/steady state, not under it).
 *
 * Infusion rates are compiled to "the total rate into CMT k from now on" at every time it
 * changes, summed afresh over the infusions running there — so overlapping infusions add up
 * and a rate returns to exactly 0 (no drift from adding and subtracting).
 */
import { ScichainError } from '../../errors.ts';
import type { DoseSchedule } from './dose-schedule.ts';
import { periodicInput, type PeriodicInput } from './periodic-input.ts';

/** Action kinds, in their order at equal times. */
export const TimelineAction = {
  /** Every compartment back to its initial state. */
  Reset: 0,
  /** State set to (SS 1) or incremented by (SS 2) a steady state; `value` indexes `steadyStates`. */
  SteadyState: 1,
  /** The total infusion rate into `index` becomes `value`. */
  SetRate: 2,
  /** `value` added to compartment `index`. */
  Bolus: 3,
} as const;

/** A compiled schedule (typed arrays, sorted by time then action kind). */
export interface DoseTimeline {
  /** Number of compartments the schedule was checked against. */
  readonly compartments: number;
  readonly length: number;
  readonly time: Float64Array;
  readonly action: Uint8Array;
  /** 0-based compartment index (CMT − 1); unused for resets and steady states. */
  readonly index: Int32Array;
  readonly value: Float64Array;
  /** Data row behind each action (−1 for EVID 3 resets). */
  readonly row: Float64Array;
  /** The steady-state doses with their one-interval inputs. */
  readonly steadyStates: readonly PeriodicInput[];
  /** Compartments that receive infusions (0-based). */
  readonly infusedCompartments: readonly number[];
}

interface Entry {
  time: number;
  action: number;
  index: number;
  value: number;
  row: number;
}

/** Compiles `schedule` for a model with `compartments` compartments (CMT 1 … compartments). */
export function doseTimeline(schedule: DoseSchedule, compartments: number): DoseTimeline {
  if (!Number.isInteger(compartments) || compartments < 1) {
    throw new ScichainError(
      'InvalidArgument',
      `compartments must be an integer ≥ 1, got ${compartments}`,
    );
  }
  const checkCmt = (cmt: number, row: number): number => {
    if (!Number.isInteger(cmt) || cmt < 1 || cmt > compartments) {
      throw new ScichainError(
        'InvalidArgument',
        `dose row ${row}: CMT ${cmt} is not a compartment of a model with ${compartments}`,
      );
    }
    return cmt - 1;
  };
  const entries: Entry[] = [];
  for (const r of schedule.resets) {
    entries.push({ time: r, action: TimelineAction.Reset, index: -1, value: 0, row: -1 });
  }
  schedule.steadyStates.forEach((s, i) => {
    checkCmt(s.cmt, s.row);
    entries.push({
      time: s.time,
      action: TimelineAction.SteadyState,
      index: -1,
      value: i,
      row: s.row,
    });
  });
  for (const b of schedule.boluses) {
    entries.push({
      time: b.time,
      action: TimelineAction.Bolus,
      index: checkCmt(b.cmt, b.row),
      value: b.amount,
      row: b.row,
    });
  }
  const infused = new Set<number>();
  for (let k = 0; k < compartments; k++) {
    const mine = schedule.infusions.filter((f) => checkCmt(f.cmt, f.row) === k);
    if (mine.length === 0) continue;
    infused.add(k);
    const breaks = [...new Set(mine.flatMap((f) => [f.start, f.end]))]
      .filter((t) => Number.isFinite(t))
      .sort((a, b) => a - b);
    let previous = 0;
    for (const t of breaks) {
      let total = 0;
      let row = -1;
      for (const f of mine) {
        if (f.start <= t && t < f.end) total += f.rate;
        if (f.start === t || f.end === t) row = f.row;
      }
      if (total === previous) continue;
      entries.push({ time: t, action: TimelineAction.SetRate, index: k, value: total, row });
      previous = total;
    }
  }
  entries.sort((a, b) => a.time - b.time || a.action - b.action);
  const n = entries.length;
  return {
    compartments,
    length: n,
    time: Float64Array.from(entries, (e) => e.time),
    action: Uint8Array.from(entries, (e) => e.action),
    index: Int32Array.from(entries, (e) => e.index),
    value: Float64Array.from(entries, (e) => e.value),
    row: Float64Array.from(entries, (e) => e.row),
    steadyStates: schedule.steadyStates.map(periodicInput),
    infusedCompartments: [...infused].sort((a, b) => a - b),
  };
}
