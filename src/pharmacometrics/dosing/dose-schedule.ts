/**
 * An explicit dose schedule: what NONMEM's dose records mean once ADDL/II are expanded, lag
 * times shift deliveries, bioavailability scales amounts (or infusion lengths), modelled rates
 * and durations are filled in and resets have cancelled what they cancel. Built by
 * `doseSchedule` (`build-dose-schedule.ts`); consumed by the ODE path (`scheduleEvents`) and by
 * the closed-form linear models (through `doseTimeline`).
 *
 * Compartments are NONMEM's 1-based CMT numbers: CMT k is state u[k − 1].
 */

/** An instantaneous dose: `amount` (F already applied) added to CMT `cmt` at `time`. */
export interface BolusDose {
  readonly time: number;
  readonly cmt: number;
  readonly amount: number;
  /** Data row of the dose record this delivery comes from (for messages). */
  readonly row: number;
}

/**
 * A zero-order input of `rate` (amount per time) into CMT `cmt` over [start, end). `end` may be
 * `Infinity` (a steady-state constant infusion that nothing stops).
 */
export interface InfusionDose {
  readonly start: number;
  readonly end: number;
  readonly cmt: number;
  readonly rate: number;
  readonly row: number;
}

/**
 * A steady-state dose record (SS 1 or 2). At `time` the state is set (SS 1) or incremented
 * (SS 2) by the steady state of the regimen "this dose every `ii`", taken just before the
 * record's own dose: the periodic solution driven by the implied doses at `time − k·ii`
 * (k ≥ 1, each delayed by `lag`), counting what they delivered before `time`. Whatever the
 * implied doses still deliver at or after `time` (a lag ≥ II, an infusion longer than II, a
 * constant infusion) is in the schedule's boluses and infusions, like the record's own dose.
 */
export interface SteadyStateDose {
  /** Record time: where the state is set. */
  readonly time: number;
  /** 1: reset to the steady state; 2: steady state added to the current state. */
  readonly mode: 1 | 2;
  readonly cmt: number;
  /** Interdose interval; 0 for a steady-state constant infusion. */
  readonly ii: number;
  /** Lag time (ALAG) of every implied dose. */
  readonly lag: number;
  /** Bolus amount per dose after F (0 for infusions). */
  readonly amount: number;
  /** Infusion rate (0 for a bolus). */
  readonly rate: number;
  /** Infusion length (0 for a bolus, `Infinity` for a constant infusion). */
  readonly duration: number;
  readonly row: number;
}

/** A subject's doses in explicit form, each list sorted by time (data order kept for ties). */
export interface DoseSchedule {
  readonly boluses: readonly BolusDose[];
  /** Sorted by start. */
  readonly infusions: readonly InfusionDose[];
  /** Times where every compartment is reset (EVID 3, and EVID 4 before its dose), ascending. */
  readonly resets: readonly number[];
  readonly steadyStates: readonly SteadyStateDose[];
}

/** Whether a steady-state dose is an infusion (rate > 0) rather than a bolus. */
export function isSteadyStateInfusion(dose: SteadyStateDose): boolean {
  return dose.rate > 0;
}

/** A short description of a steady-state dose for messages: `SS 1 dose (row 7) at t = 24`. */
export function describeSteadyState(dose: SteadyStateDose): string {
  return `SS ${dose.mode} dose (row ${dose.row}) at t = ${dose.time}`;
}
