/**
 * Per-compartment dose modifiers, as NONMEM's $PK computes them: bioavailability F_k, lag time
 * ALAG_k, modelled infusion rate R_k (used by doses with RATE = −1) and modelled duration D_k
 * (RATE = −2). Each is a plain number per compartment here — evaluate the model's expressions
 * for the subject first.
 */
import { ScichainError } from '../../core/errors.ts';

/** Values by 1-based CMT number: `{ 1: 0.7 }` is F1 = 0.7. */
export type ByCompartment = Readonly<Record<number, number>>;

/** The modifiers; compartments left out get F = 1, ALAG = 0 and no R or D. */
export interface DoseModifiers {
  /** Bioavailability F_k ≥ 0 (default 1). Scales bolus amounts; see `doseSchedule` for infusions. */
  readonly bioavailability?: ByCompartment;
  /** Lag time ALAG_k ≥ 0 (default 0): every delivery into CMT k starts this much later. */
  readonly lag?: ByCompartment;
  /** Modelled rate R_k > 0 for doses with RATE = −1. */
  readonly rate?: ByCompartment;
  /** Modelled duration D_k > 0 for doses with RATE = −2. */
  readonly duration?: ByCompartment;
}

const LABELS = {
  bioavailability: 'bioavailability F',
  lag: 'lag time ALAG',
  rate: 'modelled rate R',
  duration: 'modelled duration D',
} as const;

/** Checks the modifiers once: keys are CMT numbers ≥ 1, values finite and in range. */
export function checkDoseModifiers(modifiers: DoseModifiers): void {
  for (const key of Object.keys(LABELS) as (keyof DoseModifiers)[]) {
    const table = modifiers[key];
    if (table === undefined) continue;
    for (const [cmtText, value] of Object.entries(table)) {
      const cmt = Number(cmtText);
      if (!Number.isInteger(cmt) || cmt < 1) {
        throw new ScichainError(
          'InvalidArgument',
          `${LABELS[key]}: keys are 1-based CMT numbers, got '${cmtText}'` +
            (Array.isArray(table) ? ' (an array was given; use an object such as { 1: 0.7 })' : ''),
        );
      }
      const positive = key === 'rate' || key === 'duration';
      if (!Number.isFinite(value) || (positive ? !(value > 0) : !(value >= 0))) {
        throw new ScichainError(
          'InvalidArgument',
          `${LABELS[key]}${cmt} must be finite and ${positive ? '> 0' : '≥ 0'}, got ${value}`,
        );
      }
    }
  }
}

/** F for compartment `cmt` (1 when not given). */
export function bioavailabilityOf(modifiers: DoseModifiers, cmt: number): number {
  return modifiers.bioavailability?.[cmt] ?? 1;
}

/** ALAG for compartment `cmt` (0 when not given). */
export function lagOf(modifiers: DoseModifiers, cmt: number): number {
  return modifiers.lag?.[cmt] ?? 0;
}

/** R_k for a RATE = −1 dose; throws naming the dose row when the model gives none. */
export function modelledRateOf(modifiers: DoseModifiers, cmt: number, row: number): number {
  const r = modifiers.rate?.[cmt];
  if (r === undefined) {
    throw new ScichainError(
      'InvalidArgument',
      `dose row ${row} has RATE −1 (rate from the model) but no modelled rate R${cmt} was given`,
    );
  }
  return r;
}

/** D_k for a RATE = −2 dose; throws naming the dose row when the model gives none. */
export function modelledDurationOf(modifiers: DoseModifiers, cmt: number, row: number): number {
  const d = modifiers.duration?.[cmt];
  if (d === undefined) {
    throw new ScichainError(
      'InvalidArgument',
      `dose row ${row} has RATE −2 (duration from the model) but no modelled duration D${cmt} was given`,
    );
  }
  return d;
}
