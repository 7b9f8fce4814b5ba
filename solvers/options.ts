/**
 * Options of `solve`, validated and normalised once before the integration starts.
 */
import { ScichainError } from '../src/core/errors.ts';
import type { OdeProblem } from '../src/core/ode-problem.ts';

/**
 * A change at a known time: a bolus dose (`u[k] += amount`), an infusion rate switched on or off
 * (`p[j] = rate`). Steps end exactly at `time`; cached stages are dropped after it; the solution
 * records the state just before and just after.
 */
export interface TimedEvent {
  readonly time: number;
  /** Modifies the state and/or the parameters in place. */
  apply(u: Float64Array, p: Float64Array, t: number): void;
  /** Label for error messages and reports. */
  readonly name?: string;
}

/** Options of `solve`. */
export interface SolveOptions {
  /** Relative tolerance (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance, scalar or per component (default 1e-8). */
  atol?: number | ArrayLike<number>;
  /** Save only at these times (or every Δ from t₀ when a number); default: every step. */
  saveat?: number | ArrayLike<number>;
  /** Times every step must land on exactly. */
  tstops?: ArrayLike<number>;
  /** Events at known times (doses, infusion switches). */
  events?: readonly TimedEvent[];
  /**
   * Keep the dense interpolant over the whole span (default: true unless `saveat` is given). It
   * costs (4 + recordLength) floats per accepted step — for Tsit5 8·(8n + 4) bytes, n the number
   * of states — and counts against `memoryLimit`.
   */
  dense?: boolean;
  /** Step limit (default 100,000 accepted + rejected steps). */
  maxSteps?: number;
  /**
   * Bytes the solution may store (saved states and dense records; default 1 GiB). A solve that
   * would store more stops with `MemoryLimit`, naming the time reached; pass `saveat` (and
   * `dense: false`) to store only what is needed, or raise the limit. The peak is about twice
   * the limit (the buffers are copied to their final size at the end).
   */
  memoryLimit?: number;
  /**
   * Explicit adaptive methods with a stiffness estimate (Tsit5, DP5; not BS3 or Vern7) stop with `Stiff` when
   * their step has been limited by stability rather than accuracy for this many accepted steps
   * (Hairer's test; default 1,000). `Infinity` never stops; `'auto'` switches method instead.
   */
  stiffSteps?: number;
  /** Smallest step allowed before giving up with `DtLessThanMin` (default ~16 ulp of t). */
  dtmin?: number;
  /** Largest step (default: the whole span). */
  dtmax?: number;
  /** Initial step (default: chosen automatically); the step of fixed-step methods. */
  dt?: number;
  /** Adaptive stepping (default: true for methods with an error estimate). */
  adaptive?: boolean;
}

/** Options after validation, in the form the integration loop uses. */
export interface NormalizedOptions {
  readonly rtol: number;
  /** Absolute tolerances, each at least the smallest normal double (2.2e-308; 0 becomes that). */
  readonly atol: Float64Array;
  /**
   * Save times in integration order, merged with nearby stop and event times (see
   * {@link sameTime}), or null to save every step. The integration compares these.
   */
  readonly saveat: Float64Array | null;
  /** The save times as the caller gave them (sorted like `saveat`): the solution reports these. */
  readonly saveatReported: Float64Array | null;
  /** Stop times (tstops, event times and t₁) in integration order, merged, without duplicates. */
  readonly stops: Float64Array;
  /** Events sorted in integration order (stable for equal times). */
  readonly events: readonly TimedEvent[];
  /** The time each event of `events` is applied at (its time merged with nearby times). */
  readonly eventTimes: Float64Array;
  readonly dense: boolean;
  readonly maxSteps: number;
  /** Most floats the solution may store (saved states and dense records). */
  readonly maxStoredFloats: number;
  /** Accepted stability-limited steps after which an explicit method stops (`Stiff`). */
  readonly stiffSteps: number;
  readonly dtmin: number | null;
  readonly dtmax: number;
  readonly dt: number | null;
  readonly adaptive: boolean;
}

/**
 * Relative tolerance within which two special times (t₀, t₁, tstops, event and save times) are
 * one time: |a − b| ≤ 1e-12·max(|a|, |b|), about 4,500 ulp — rounding errors of sums such as
 * 0.1 + 0.2 (vs 0.3) or an ADDL dose time t + k·II (2.4000000000000004 beside a record at 2.4),
 * far below any time step an integration takes. There is no absolute floor: times near zero
 * (log-spaced save times from 1e-15) stay distinct.
 */
export const TIME_MERGE_TOLERANCE = 1e-12;

/** Whether a and b are one time for the integration (see {@link TIME_MERGE_TOLERANCE}). */
export function sameTime(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIME_MERGE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** Default of `memoryLimit`: 1 GiB of stored output. */
export const DEFAULT_MEMORY_LIMIT = 2 ** 30;

/** Default of `stiffSteps`. */
export const DEFAULT_STIFF_STEPS = 1000;

/** The smallest positive normal double: error weights are never below it (see `normalizeOptions`). */
const SMALLEST_NORMAL = 2.2250738585072014e-308;

/**
 * Maps each special time to the one time it is merged with: times are sorted and grouped while
 * within {@link TIME_MERGE_TOLERANCE} of a group's first time; a group takes t₀ or t₁ when it
 * holds one, else its first event time, else its first tstop, else its first save time. The
 * mapping keeps the order of times.
 */
function mergedTimes(
  t0: number,
  t1: number,
  groups: readonly (readonly number[])[],
  dir: number,
): Map<number, number> {
  const all: { t: number; rank: number }[] = [
    { t: t0, rank: 0 },
    { t: t1, rank: 0 },
  ];
  groups.forEach((times, g) => {
    for (const t of times) all.push({ t, rank: g + 1 });
  });
  all.sort((a, b) => dir * (a.t - b.t) || a.rank - b.rank);
  const merged = new Map<number, number>();
  let start = 0;
  while (start < all.length) {
    let end = start + 1;
    while (end < all.length && sameTime(all[start].t, all[end].t)) end++;
    let chosen = all[start];
    for (let k = start + 1; k < end; k++) if (all[k].rank < chosen.rank) chosen = all[k];
    for (let k = start; k < end; k++) merged.set(all[k].t, chosen.t);
    start = end;
  }
  return merged;
}

/**
 * Whether two distinct special times are within {@link TIME_MERGE_TOLERANCE} of each other (the
 * common case is no: then no merging map is built — a solve's setup stays cheap).
 */
function anyNearTimes(t0: number, t1: number, groups: readonly (readonly number[])[]): boolean {
  let count = 2;
  for (const g of groups) count += g.length;
  const all = new Float64Array(count);
  all[0] = t0;
  all[1] = t1;
  let k = 2;
  for (const g of groups) for (const t of g) all[k++] = t;
  all.sort();
  for (let i = 1; i < count; i++)
    if (all[i] !== all[i - 1] && sameTime(all[i], all[i - 1])) return true;
  return false;
}

function finiteTimes(values: ArrayLike<number>, what: string): number[] {
  return Array.from(values, (v, i) => {
    if (!Number.isFinite(v)) throw new ScichainError('NonFinite', `${what}[${i}] is ${v}`);
    return v;
  });
}

/** Validates options against a problem; `canAdapt`: the method has an error estimate. */
export function normalizeOptions(
  problem: OdeProblem,
  options: SolveOptions,
  canAdapt: boolean,
): NormalizedOptions {
  const [t0, t1] = problem.tspan;
  const dir = t1 > t0 ? 1 : -1;
  const inSpan = (t: number): boolean => dir * (t - t0) >= 0 && dir * (t - t1) <= 0;
  const order = (a: number, b: number): number => dir * (a - b);

  const rtol = options.rtol ?? 1e-6;
  if (!(rtol >= 0) || !Number.isFinite(rtol)) {
    throw new ScichainError('InvalidArgument', `rtol must be finite and ≥ 0, got ${rtol}`);
  }
  const atolIn = options.atol ?? 1e-8;
  const atol = new Float64Array(problem.n);
  if (typeof atolIn === 'number') atol.fill(atolIn);
  else {
    if (atolIn.length !== problem.n) {
      throw new ScichainError(
        'ShapeMismatch',
        `atol has ${atolIn.length} entries but the problem has ${problem.n} states`,
      );
    }
    atol.set(Array.from(atolIn));
  }
  for (let i = 0; i < atol.length; i++) {
    if (!(atol[i] >= 0) || !Number.isFinite(atol[i])) {
      throw new ScichainError(
        'InvalidArgument',
        `atol${typeof atolIn === 'number' ? '' : `[${i}]`} must be finite and ≥ 0, got ${atol[i]}`,
      );
    }
    if (atol[i] === 0 && rtol === 0) {
      throw new ScichainError(
        'InvalidArgument',
        `rtol and atol${typeof atolIn === 'number' ? '' : `[${i}]`} cannot both be 0`,
      );
    }
  }

  let saveatIn: number[] | null = null;
  if (options.saveat !== undefined) {
    if (typeof options.saveat === 'number') {
      const step = options.saveat;
      if (!(step > 0) || !Number.isFinite(step)) {
        throw new ScichainError(
          'InvalidArgument',
          `saveat interval must be finite and > 0, got ${step}`,
        );
      }
      const count = Math.floor(Math.abs(t1 - t0) / step + 1e-9);
      saveatIn = Array.from({ length: count + 1 }, (_, k) => t0 + dir * k * step);
      if (dir * (t1 - saveatIn[saveatIn.length - 1]) > 1e-12 * Math.abs(t1 - t0)) saveatIn.push(t1);
    } else {
      saveatIn = finiteTimes(options.saveat, 'saveat');
    }
  }

  const events = [...(options.events ?? [])];
  events.forEach((e, i) => {
    if (!Number.isFinite(e.time))
      throw new ScichainError('NonFinite', `event ${e.name ?? i} has time ${e.time}`);
    if (typeof e.apply !== 'function')
      throw new ScichainError('InvalidArgument', `event ${e.name ?? i} has no apply function`);
  });
  const tstops = options.tstops ? finiteTimes(options.tstops, 'tstops') : [];

  // Times a rounding error apart are one time (stepping to both would take a step of a few ulp
  // and then fail), and times a rounding error outside the span are its end.
  const eventTimesIn = events.map((e) => e.time);
  const groups = [eventTimesIn, tstops, saveatIn ?? []];
  const merged =
    sameTime(t0, t1) || !anyNearTimes(t0, t1, groups) ? null : mergedTimes(t0, t1, groups, dir);
  const at = merged === null ? (t: number): number => t : (t: number) => merged.get(t) ?? t;

  let saveat: Float64Array | null = null;
  let saveatReported: Float64Array | null = null;
  if (saveatIn !== null) {
    for (const t of saveatIn) {
      if (!inSpan(at(t)))
        throw new ScichainError(
          'InvalidArgument',
          `saveat time ${t} is outside tspan [${t0}, ${t1}]`,
        );
    }
    saveatReported = Float64Array.from([...new Set(saveatIn)].sort(order));
    saveat = merged === null ? saveatReported : saveatReported.map(at);
  }

  // An event before the start would be silently lost (the state it should change is u0);
  // events after the end cannot change the solution and are not reached.
  events.forEach((e, i) => {
    if (dir * (at(e.time) - t0) < 0)
      throw new ScichainError(
        'InvalidArgument',
        `event ${e.name ?? i} at time ${e.time} is before the start of tspan [${t0}, ${t1}]: ` +
          'apply it to u0, or start the solve at or before it',
      );
  });
  const sortedEvents = events
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => inSpan(at(e.time)))
    .sort((a, b) => order(a.e.time, b.e.time) || a.i - b.i)
    .map(({ e }) => e);
  const eventTimes = new Float64Array(sortedEvents.length);
  for (let k = 0; k < sortedEvents.length; k++) eventTimes[k] = at(sortedEvents[k].time);

  const stopSet = new Set<number>([t1]);
  for (const t of tstops) if (inSpan(at(t)) && at(t) !== t0) stopSet.add(at(t));
  for (const t of eventTimes) if (t !== t0) stopSet.add(t);
  const stops = Float64Array.from([...stopSet].sort(order));

  const maxSteps = options.maxSteps ?? 100_000;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new ScichainError('InvalidArgument', `maxSteps must be an integer ≥ 1, got ${maxSteps}`);
  }
  const span = Math.abs(t1 - t0);
  const dtmax = options.dtmax ?? span;
  if (!(dtmax > 0)) throw new ScichainError('InvalidArgument', `dtmax must be > 0, got ${dtmax}`);
  const dtmin = options.dtmin ?? null;
  if (dtmin !== null && !(dtmin >= 0))
    throw new ScichainError('InvalidArgument', `dtmin must be ≥ 0, got ${dtmin}`);
  const dt = options.dt ?? null;
  if (dt !== null && !(dt > 0 && Number.isFinite(dt))) {
    throw new ScichainError(
      'InvalidArgument',
      `dt must be finite and > 0 (the direction comes from tspan), got ${dt}`,
    );
  }
  const adaptive = options.adaptive ?? canAdapt;
  if (adaptive && !canAdapt)
    throw new ScichainError(
      'InvalidArgument',
      'this method has no error estimate: solve it with fixed steps (adaptive: false, dt)',
    );
  if (!adaptive && dt === null)
    throw new ScichainError('InvalidArgument', 'fixed-step integration needs a step size dt');

  const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  if (!(memoryLimit > 0))
    throw new ScichainError('InvalidArgument', `memoryLimit must be > 0 bytes, got ${memoryLimit}`);
  const stiffSteps = options.stiffSteps ?? DEFAULT_STIFF_STEPS;
  if (!(stiffSteps >= 1))
    throw new ScichainError('InvalidArgument', `stiffSteps must be ≥ 1, got ${stiffSteps}`);

  // A weight atol + rtol·|u| that underflows (atol = 0 and u subnormal, below ~1e-308) would make
  // the error ratio 0/0: no weight is below the smallest normal double, so such a state is held
  // to an absolute tolerance of 2.2e-308 — as close to pure relative control as doubles allow.
  for (let i = 0; i < atol.length; i++) if (atol[i] < SMALLEST_NORMAL) atol[i] = SMALLEST_NORMAL;

  return {
    rtol,
    atol,
    saveat,
    saveatReported,
    stops,
    events: sortedEvents,
    eventTimes,
    dense: options.dense ?? saveat === null,
    maxSteps,
    maxStoredFloats: Math.floor(memoryLimit / 8),
    stiffSteps,
    dtmin,
    dtmax,
    dt,
    adaptive,
  };
}
