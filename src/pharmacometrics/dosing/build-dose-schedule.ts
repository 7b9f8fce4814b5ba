/**
 * `doseSchedule`: NONMEM dose semantics, from a subject's dose records to an explicit
 * {@link DoseSchedule}.
 *
 * - ADDL/II: ADDL additional doses, exactly like the record, every II after it (`t + k·II`,
 *   computed directly, not by repeated addition). A record stays one record with a count until
 *   here, and only the doses up to `until` (the last time a prediction needs) are expanded, so
 *   ADDL 1e8 costs what the predicted window holds; more than {@link MAX_SCHEDULED_DOSES}
 *   deliveries in one schedule is an error naming the row. A dose time that overflows to ∞
 *   (TIME + ADDL·II + lag) is an error naming the row, never a dose that silently vanishes.
 * - Lag ALAG_k shifts every delivery into CMT k (bolus time, infusion start).
 * - F_k scales bolus amounts. For infusions with a rate (RATE > 0, or RATE = −1 with R_k) F
 *   scales the length, as NONMEM does: duration = F·AMT/rate; with a length (DUR, or RATE = −2
 *   with D_k) F scales the rate: rate = F·AMT/duration.
 * - Resets: an EVID 3 record at r, an EVID 4 record and an SS 1 record cancel what earlier
 *   records (earlier time, or same time and earlier data row) would still deliver at or after
 *   their time: pending additional doses, doses pending behind a lag, the rest of running
 *   infusions. EVID 3 records carry no row here, so they count as coming before every dose
 *   record at the same time.
 * - Steady state (SS 1 / 2): a {@link SteadyStateDose} at the record time, plus whatever the
 *   implied earlier doses still deliver after it (lag ≥ II, infusions longer than II, constant
 *   infusions), plus the record's own dose and its ADDL doses as transient doses.
 */
import { TIME_MERGE_TOLERANCE } from '../../../solvers/options.ts';
import { ScichainError } from '../../core/errors.ts';
import type { DoseRecord } from '../records.ts';
import {
  bioavailabilityOf,
  checkDoseModifiers,
  lagOf,
  modelledDurationOf,
  modelledRateOf,
  type DoseModifiers,
} from './dose-modifiers.ts';
import type { BolusDose, DoseSchedule, InfusionDose, SteadyStateDose } from './dose-schedule.ts';

/** Options of {@link doseSchedule}. */
export interface DoseScheduleOptions {
  /** Number of compartments of the model: larger CMT numbers are an error. */
  readonly compartments?: number;
  /**
   * The last time a prediction needs (default ∞: every dose). Deliveries that start after it
   * (additional doses included) are left out — they cannot change the state at or before it —
   * so a long ADDL regimen costs memory in proportion to the doses up to `until`.
   */
  readonly until?: number;
}

/**
 * Most deliveries (boluses and infusions, additional doses included) one schedule expands:
 * beyond it `doseSchedule` throws naming the dose row, before allocating them. Pass `until` to
 * expand only the doses a prediction reaches.
 */
export const MAX_SCHEDULED_DOSES = 1_000_000;

/** What one dose delivers, after F, R_k and D_k. */
interface Delivery {
  /** Bolus amount (0 for infusions). */
  readonly amount: number;
  /** Infusion rate (0 for boluses). */
  readonly rate: number;
  /** Infusion length (0 for boluses, Infinity for a constant infusion). */
  readonly duration: number;
}

/** A point after which earlier records deliver nothing more. */
interface CancelPoint {
  readonly time: number;
  /** Data row; −∞ for EVID 3 resets (taken to come before same-time doses). */
  readonly row: number;
}

/** Most implied doses still running at a steady-state record (infusion length / II). */
const MAX_OVERLAPPING_DOSES = 100_000;

function fail(row: number, message: string): never {
  throw new ScichainError('InvalidArgument', `dose row ${row}: ${message}`);
}

function checkRecord(d: DoseRecord, compartments: number | undefined): void {
  const row = d.row;
  if (!Number.isFinite(d.time)) fail(row, `TIME is ${d.time}`);
  if (!Number.isInteger(d.cmt) || d.cmt < 1) fail(row, `CMT must be an integer ≥ 1, got ${d.cmt}`);
  if (compartments !== undefined && d.cmt > compartments) {
    fail(row, `CMT ${d.cmt} but the model has ${compartments} compartments`);
  }
  if (!(d.amount >= 0) || !Number.isFinite(d.amount)) {
    fail(row, `AMT must be finite and ≥ 0, got ${d.amount}`);
  }
  if (!Number.isFinite(d.rate) || !(d.rate >= 0 || d.rate === -1 || d.rate === -2)) {
    fail(row, `RATE must be ≥ 0, −1 or −2, got ${d.rate}`);
  }
  if (!(d.duration >= 0) || !Number.isFinite(d.duration)) {
    fail(row, `DUR must be finite and ≥ 0, got ${d.duration}`);
  }
  if (d.rate !== 0 && d.duration > 0) {
    fail(row, `RATE ${d.rate} and DUR ${d.duration} are both given; use one of them`);
  }
  if (!(d.ii >= 0) || !Number.isFinite(d.ii)) fail(row, `II must be finite and ≥ 0, got ${d.ii}`);
  if (!Number.isInteger(d.addl) || d.addl < 0) {
    fail(row, `ADDL must be an integer ≥ 0, got ${d.addl}`);
  }
  if (d.addl > 0 && d.ii === 0) {
    fail(row, `ADDL ${d.addl} needs an interdose interval II > 0, but II is 0`);
  }
  const last = d.time + d.addl * d.ii;
  if (!Number.isFinite(last)) {
    fail(
      row,
      `the last additional dose falls at TIME + ADDL·II = ${d.time} + ${d.addl}·${d.ii} = ` +
        `${last}; dose times must be finite`,
    );
  }
  if (d.ss !== 0 && d.ss !== 1 && d.ss !== 2) fail(row, `SS must be 0, 1 or 2, got ${d.ss}`);
  if (d.ss !== 0 && d.ii === 0) {
    const constantInfusion = d.rate > 0 || d.rate === -1;
    if (!constantInfusion || d.amount !== 0) {
      fail(
        row,
        `SS ${d.ss} with II 0 is only a steady-state constant infusion (AMT 0, RATE > 0 or −1); ` +
          `a steady-state ${constantInfusion ? 'infusion of an amount' : 'bolus'} needs II > 0`,
      );
    }
  }
}

/** The delivery of one dose of record `d` into its compartment. */
function resolveDelivery(d: DoseRecord, modifiers: DoseModifiers): Delivery {
  const f = bioavailabilityOf(modifiers, d.cmt);
  if (d.ss !== 0 && d.ii === 0) {
    // Steady-state constant infusion: F would scale an infinite length, i.e. nothing.
    const rate = d.rate > 0 ? d.rate : modelledRateOf(modifiers, d.cmt, d.row);
    return { amount: 0, rate, duration: Infinity };
  }
  const amount = f * d.amount;
  if (d.rate > 0) return { amount: 0, rate: d.rate, duration: amount / d.rate };
  if (d.rate === -1) {
    const rate = modelledRateOf(modifiers, d.cmt, d.row);
    return { amount: 0, rate, duration: amount / rate };
  }
  if (d.rate === -2) {
    const duration = modelledDurationOf(modifiers, d.cmt, d.row);
    return { amount: 0, rate: amount / duration, duration };
  }
  if (d.duration > 0) return { amount: 0, rate: amount / d.duration, duration: d.duration };
  return { amount, rate: 0, duration: 0 };
}

function precedes(d: DoseRecord, c: CancelPoint): boolean {
  return d.time < c.time || (d.time === c.time && d.row < c.row);
}

/**
 * The explicit schedule of one subject's doses. `resets` are the times of EVID 3 records;
 * `modifiers` give F, ALAG, R and D per compartment. Errors name the dose row at fault.
 */
export function doseSchedule(
  doses: readonly DoseRecord[],
  resets: readonly number[] = [],
  modifiers: DoseModifiers = {},
  options: DoseScheduleOptions = {},
): DoseSchedule {
  checkDoseModifiers(modifiers);
  const until = options.until ?? Infinity;
  if (Number.isNaN(until)) {
    throw new ScichainError('InvalidArgument', 'until must be a time or ∞, got NaN');
  }
  // Doses a rounding error after `until` are at `until` for the solver (it merges such times):
  // leaving them out would make a prediction depend on whether later observations exist.
  const last = until + TIME_MERGE_TOLERANCE * Math.abs(until);
  for (const r of resets) {
    if (!Number.isFinite(r)) throw new ScichainError('NonFinite', `reset (EVID 3) time is ${r}`);
  }
  const records = doses
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.time - b.d.time || a.i - b.i)
    .map(({ d }) => d);
  for (const d of records) checkRecord(d, options.compartments);

  const cancels: CancelPoint[] = [
    ...resets.map((time) => ({ time, row: -Infinity })),
    ...records.filter((d) => d.reset || d.ss === 1).map((d) => ({ time: d.time, row: d.row })),
  ];
  // Sorted by (time, row), the cancel points that a record precedes are those after it in that
  // order, and the first of them is the earliest: a binary search, not a scan per record (a
  // subject of 20,000 EVID 4 doses took 3.4 s, 100,000 over a minute).
  cancels.sort((a, b) => a.time - b.time || a.row - b.row);
  const cutoffOf = (d: DoseRecord): number => {
    let lo = 0;
    let hi = cancels.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (precedes(d, cancels[mid])) hi = mid;
      else lo = mid + 1;
    }
    return lo < cancels.length ? cancels[lo].time : Infinity;
  };

  const boluses: BolusDose[] = [];
  const infusions: InfusionDose[] = [];
  const steadyStates: SteadyStateDose[] = [];
  const deliver = (d: DoseRecord, what: Delivery, start: number, cutoff: number): void => {
    if (!(start < cutoff) || start > last) return;
    if (what.duration === 0) {
      if (what.amount > 0)
        boluses.push({ time: start, cmt: d.cmt, amount: what.amount, row: d.row });
      return;
    }
    const end = Math.min(start + what.duration, cutoff);
    if (end > start && what.rate > 0) {
      infusions.push({ start, end, cmt: d.cmt, rate: what.rate, row: d.row });
    }
  };

  for (const d of records) {
    const cutoff = cutoffOf(d);
    const what = resolveDelivery(d, modifiers);
    if (
      !Number.isFinite(what.rate) ||
      !Number.isFinite(what.amount) ||
      Number.isNaN(what.duration)
    ) {
      fail(d.row, `the dose resolves to a non-finite amount, rate or duration`);
    }
    const constantInfusion = d.ss !== 0 && d.ii === 0;
    if (!constantInfusion && !Number.isFinite(what.duration)) {
      // AMT / RATE overflowed: an infusion of a finite amount that never ends would deliver ∞.
      fail(d.row, `the infusion of AMT ${d.amount} at rate ${what.rate} lasts ${what.duration}`);
    }
    const lag = lagOf(modifiers, d.cmt);
    // The last delivery's end (a constant infusion's end is ∞ by design; it has no ADDL).
    const lastEnd = d.time + d.addl * d.ii + lag + (constantInfusion ? 0 : what.duration);
    if (!Number.isFinite(lastEnd)) {
      const length = constantInfusion || what.duration === 0 ? '' : ` + length ${what.duration}`;
      fail(
        d.row,
        `its last delivery ends at TIME ${d.time} + ADDL ${d.addl}·II ${d.ii} + lag ${lag}` +
          `${length} = ${lastEnd}; dose times must be finite`,
      );
    }
    if (d.ss !== 0) {
      steadyStates.push({
        time: d.time,
        mode: d.ss,
        cmt: d.cmt,
        ii: d.ii,
        lag,
        amount: what.amount,
        rate: what.rate,
        duration: what.duration,
        row: d.row,
      });
      carryOver(d, what, lag, cutoff, boluses, infusions);
      if (boluses.length + infusions.length > MAX_SCHEDULED_DOSES) {
        fail(
          d.row,
          `with what its earlier doses still deliver after its time (SS ${d.ss}), the schedule ` +
            `would hold more than ${MAX_SCHEDULED_DOSES.toLocaleString('en')} deliveries`,
        );
      }
      if (d.ii === 0) continue; // a constant infusion is all carry-over
    }
    // Doses k = 0 … ADDL start at t + k·II + lag; only those before the cutoff (a reset) and
    // at or before `until` are delivered. Count them first, so that the bound errs before
    // anything is allocated.
    const horizon = Math.min(last, cutoff) - d.time - lag;
    const count = horizon < 0 ? 0 : d.ii > 0 ? Math.min(d.addl, Math.floor(horizon / d.ii)) + 1 : 1;
    if (boluses.length + infusions.length + count > MAX_SCHEDULED_DOSES) {
      fail(
        d.row,
        `with its ${count} doses (ADDL ${d.addl}, every II ${d.ii}) the schedule would hold ` +
          `more than ${MAX_SCHEDULED_DOSES.toLocaleString('en')} deliveries` +
          (until === Infinity
            ? '; pass `until` (the last time predicted) to expand only the doses up to it'
            : ` up to t = ${until}`),
      );
    }
    for (let k = 0; k <= d.addl; k++) {
      const start = d.time + k * d.ii + lag;
      if (!(start < cutoff) || start > last) break; // later doses start later still
      deliver(d, what, start, cutoff);
    }
  }

  const allResets = [...resets, ...records.filter((d) => d.reset).map((d) => d.time)];
  return {
    boluses: stableSort(boluses, (b) => b.time),
    infusions: stableSort(infusions, (f) => f.start),
    resets: [...new Set(allResets)].sort((a, b) => a - b),
    steadyStates,
  };
}

/**
 * What the implied doses of a steady-state record (at t − k·II, k ≥ 1, each delayed by the lag)
 * still deliver at or after the record time t: their state before t is the steady state, the
 * rest continues like any dose.
 */
function carryOver(
  d: DoseRecord,
  what: Delivery,
  lag: number,
  cutoff: number,
  boluses: BolusDose[],
  infusions: InfusionDose[],
): void {
  const t = d.time;
  if (d.ii === 0) {
    if (cutoff > t)
      infusions.push({ start: t, end: cutoff, cmt: d.cmt, rate: what.rate, row: d.row });
    return;
  }
  const reach = what.duration === 0 ? lag : lag + what.duration;
  if (reach / d.ii > MAX_OVERLAPPING_DOSES) {
    fail(
      d.row,
      `lag + infusion length (${reach}) spans more than ${MAX_OVERLAPPING_DOSES} intervals II = ${d.ii}`,
    );
  }
  for (let k = 1; what.duration === 0 ? k * d.ii <= lag : k * d.ii < reach; k++) {
    const start = t + (lag - k * d.ii);
    if (what.duration === 0) {
      if (start < cutoff && what.amount > 0) {
        boluses.push({ time: start, cmt: d.cmt, amount: what.amount, row: d.row });
      }
    } else {
      const from = Math.max(start, t);
      const to = Math.min(start + what.duration, cutoff);
      if (to > from && what.rate > 0) {
        infusions.push({ start: from, end: to, cmt: d.cmt, rate: what.rate, row: d.row });
      }
    }
  }
}

function stableSort<T>(items: T[], key: (item: T) => number): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => key(a.item) - key(b.item) || a.i - b.i)
    .map(({ item }) => item);
}
