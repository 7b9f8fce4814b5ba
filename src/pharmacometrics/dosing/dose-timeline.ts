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
import { ScichainError } from '../../core/errors.ts';
import type { DoseSchedule, InfusionDose } from './dose-schedule.ts';
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
  const byCompartment: InfusionDose[][] = Array.from({ length: compartments }, () => []);
  for (const f of schedule.infusions) byCompartment[checkCmt(f.cmt, f.row)].push(f);
  byCompartment.forEach((mine, k) => {
    if (mine.length === 0) return;
    infused.add(k);
    // One object shape for every entry keeps the sort's comparator fast.
    for (const e of rateChanges(mine)) {
      entries.push({
        time: e.time,
        action: TimelineAction.SetRate,
        index: k,
        value: e.value,
        row: e.row,
      });
    }
  });
  entries.sort((a, b) => a.time - b.time || a.action - b.action);
  const n = entries.length;
  // Plain loops: TypedArray.from with a map function is slow on long schedules.
  const time = new Float64Array(n);
  const action = new Uint8Array(n);
  const index = new Int32Array(n);
  const value = new Float64Array(n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    time[i] = e.time;
    action[i] = e.action;
    index[i] = e.index;
    value[i] = e.value;
    row[i] = e.row;
  }
  return {
    compartments,
    length: n,
    time,
    action,
    index,
    value,
    row,
    steadyStates: schedule.steadyStates.map(periodicInput),
    infusedCompartments: [...infused].sort((a, b) => a - b),
  };
}

/**
 * The total rate of `infusions` (one compartment, in schedule order) at every time it changes:
 * at each start or end t, the sum of the rates with start ≤ t < end, summed afresh over the
 * distinct rates running there (a sweep keeps their counts, so a long regimen costs n log n, not
 * n², even when its infusions overlap).
 * `row` is the row of the last infusion (in schedule order) starting or ending at t.
 */
function rateChanges(
  infusions: readonly InfusionDose[],
): { time: number; value: number; row: number }[] {
  const n = infusions.length;
  const byStart = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => infusions[a].start - infusions[b].start || a - b,
  );
  // Finite ends only: an ∞ end changes nothing.
  const byEnd = Array.from({ length: n }, (_, i) => i)
    .filter((i) => Number.isFinite(infusions[i].end))
    .sort((a, b) => infusions[a].end - infusions[b].end);
  // Every start and finite end, ascending, once each (typed-array sort: numeric and fast).
  const times = new Float64Array(n + byEnd.length);
  for (let i = 0; i < n; i++) times[i] = infusions[i].start;
  for (let e = 0; e < byEnd.length; e++) times[n + e] = infusions[byEnd[e]].end;
  times.sort();
  // The running infusions as counts per distinct rate: a regimen's ADDL copies share one rate,
  // so the total is a short sum of rate × count even when thousands overlap.
  const running = new Map<number, number>();
  let next = 0;
  let ended = 0;
  let previous = 0;
  const out: { time: number; value: number; row: number }[] = [];
  for (let b = 0; b < times.length; b++) {
    const t = times[b];
    if (b > 0 && t === times[b - 1]) continue;
    let last = -1; // schedule index of the last infusion starting or ending at t
    while (next < n && infusions[byStart[next]].start <= t) {
      const i = byStart[next++];
      const rate = infusions[i].rate;
      running.set(rate, (running.get(rate) ?? 0) + 1);
      if (infusions[i].start === t) last = Math.max(last, i);
    }
    // Every finite end is a break time, so the ends reached here are exactly at t (and each
    // infusion started at an earlier break).
    while (ended < byEnd.length && infusions[byEnd[ended]].end <= t) {
      const i = byEnd[ended++];
      last = Math.max(last, i);
      const rate = infusions[i].rate;
      const count = running.get(rate)! - 1;
      if (count === 0) running.delete(rate);
      else running.set(rate, count);
    }
    // Summed afresh (ascending rates, for determinism): no drift from adding and subtracting,
    // and exactly 0 when nothing runs.
    let total = 0;
    if (running.size === 1) {
      for (const [rate, count] of running) total = rate * count;
    } else if (running.size > 1) {
      for (const rate of [...running.keys()].sort((a, b) => a - b)) {
        total += rate * running.get(rate)!;
      }
    }
    if (total === previous) continue;
    out.push({ time: t, value: total, row: last < 0 ? -1 : infusions[last].row });
    previous = total;
  }
  return out;
}
