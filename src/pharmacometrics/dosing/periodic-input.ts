/**
 * The input of a steady-state regimen over one dosing interval. The steady state at the record
 * time t is the periodic solution over windows [t − II, t); in phase s = τ − (t − II) ∈ [0, II)
 * the doses "amount every II, delayed by the lag" give
 *
 * - a bolus at phase `lag mod II`,
 * - or an infusion input that is piecewise constant: at phase s, R·(number of infusions running)
 *   = R·(⌊(s − lag)/II⌋ − ⌊(s − lag − D)/II⌋), with at most two breakpoints (lag mod II and
 *   (lag + D) mod II) — infusions longer than II overlap and add up.
 *
 * A steady-state constant infusion (II = 0) is a constant input R.
 */
import type { SteadyStateDose } from './dose-schedule.ts';

/** The one-interval input of a steady-state dose. */
export interface PeriodicInput {
  readonly dose: SteadyStateDose;
  /** II (0 for a constant infusion). */
  readonly period: number;
  /** Phase of the bolus in [0, II) (0 when there is none). */
  readonly bolusPhase: number;
  /** Bolus amount (0 for infusions). */
  readonly bolusAmount: number;
  /** Constant-rate pieces [start, end) in phase, covering [0, II) for infusions (else empty). */
  readonly pieceStart: Float64Array;
  readonly pieceEnd: Float64Array;
  readonly pieceRate: Float64Array;
  /** The rate of a constant infusion (II = 0), else 0. */
  readonly constantRate: number;
}

/** The one-interval input of `dose`. */
export function periodicInput(dose: SteadyStateDose): PeriodicInput {
  const empty = new Float64Array(0);
  if (dose.ii === 0) {
    return {
      dose,
      period: 0,
      bolusPhase: 0,
      bolusAmount: 0,
      pieceStart: empty,
      pieceEnd: empty,
      pieceRate: empty,
      constantRate: dose.rate,
    };
  }
  const ii = dose.ii;
  const lagPhase = dose.lag % ii;
  if (!(dose.rate > 0)) {
    return {
      dose,
      period: ii,
      bolusPhase: lagPhase,
      bolusAmount: dose.amount,
      pieceStart: empty,
      pieceEnd: empty,
      pieceRate: empty,
      constantRate: 0,
    };
  }
  const cuts = [...new Set([0, lagPhase, (dose.lag + dose.duration) % ii, ii])]
    .filter((c) => c >= 0 && c <= ii)
    .sort((a, b) => a - b);
  const start: number[] = [];
  const end: number[] = [];
  const rate: number[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i];
    const b = cuts[i + 1];
    if (!(b > a)) continue;
    const mid = 0.5 * (a + b);
    const running =
      Math.floor((mid - dose.lag) / ii) - Math.floor((mid - dose.lag - dose.duration) / ii);
    start.push(a);
    end.push(b);
    rate.push(running * dose.rate);
  }
  return {
    dose,
    period: ii,
    bolusPhase: 0,
    bolusAmount: 0,
    pieceStart: Float64Array.from(start),
    pieceEnd: Float64Array.from(end),
    pieceRate: Float64Array.from(rate),
    constantRate: 0,
  };
}
