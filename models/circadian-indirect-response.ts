/**
 * A PK/PD system with three kinds of unknown function, for the joint-training example:
 *
 *   amount' = −k·amount                                   (IV bolus PK, concentration c = amount/v)
 *   R'      = kin(t) − kout(WT)·(1 + E(c))·R              (indirect response, stimulated loss)
 *
 * with a circadian production rate kin(t) = kin₀·exp(0.3·cos(2π(t − 8)/24) + 0.1·sin(4πt/24)),
 * a sigmoid drug effect E(c) = Emax·c^γ/(EC50^γ + c^γ) with γ = 2, and an allometric covariate
 * effect kout(WT) = kout₀·(WT/70)^(−1/4). The subject's body weight WT is a constant state.
 *
 * The learnable model knows the structure but not the three functions: kin·exp(rhythm(t)) with a
 * periodic term, kout·exp(covariate(WT)) with a smooth term, and a hyperbolic Emax (γ = 1, the
 * usual first guess) plus a network correction. Production and elimination scales kin and kout
 * sit in front of the learned shapes, so the shapes start as "no effect".
 */
import { expressionModel, type ExpressionModel } from '../src/expressions/expression-model.ts';
import type { Layer } from '../src/nn/layer.ts';
import { scalar } from '../src/parameters/layout.ts';

/** The values that generate the example's data (hours, mg, litres). */
export const CIRCADIAN_TRUTH = {
  k: 0.15,
  v: 10,
  kin0: 0.8,
  kout0: 0.08,
  emax: 3,
  ec50: 4,
  hill: 2,
  /** Body weights span this interval (kg); the covariate term's domain. */
  weightRange: [40, 120] as const,
} as const;

/** True circadian production rate. */
export function trueProduction(t: number): number {
  const { kin0 } = CIRCADIAN_TRUTH;
  return (
    kin0 *
    Math.exp(0.3 * Math.cos((2 * Math.PI * (t - 8)) / 24) + 0.1 * Math.sin((4 * Math.PI * t) / 24))
  );
}

/** True drug effect E(c). */
export function trueEffect(c: number): number {
  const { emax, ec50, hill } = CIRCADIAN_TRUTH;
  return (emax * c ** hill) / (ec50 ** hill + c ** hill);
}

/** True elimination rate constant for a body weight. */
export function trueKout(weight: number): number {
  return CIRCADIAN_TRUTH.kout0 * (weight / 70) ** -0.25;
}

/** The data-generating model (states amount, response, wt; no parameters). */
export function circadianTruthModel(): ExpressionModel {
  const { k, v, kin0, kout0, emax, ec50 } = CIRCADIAN_TRUTH;
  return expressionModel({
    states: ['amount', 'response', 'wt'],
    definitions: {
      c: `amount/${v}`,
      kin: `${kin0}*exp(0.3*cos(2*pi*(t - 8)/24) + 0.1*sin(4*pi*t/24))`,
      kout: `${kout0}*(wt/70)^(-0.25)`,
      effect: `${emax}*c^2/(${ec50}^2 + c^2)`,
    },
    equations: {
      amount: `-${k}*amount`,
      response: 'kin - kout*(1 + effect)*response',
      wt: '0',
    },
  });
}

/** The three learned terms of {@link circadianModel}. */
export interface CircadianTerms {
  /** log production shape as a function of the clock time input (see `rhythmInput`). */
  readonly rhythm: Layer;
  /** Expression for the rhythm term's input, e.g. `t` (Fourier) or `t/72` (network). */
  readonly rhythmInput: string;
  /** Correction of the drug effect, a function of c/10. */
  readonly correction: Layer;
  /** log kout shape as a function of WT. */
  readonly covariate: Layer;
}

/**
 * The learnable model: PK known (k, v frozen), kin, kout, Emax and EC50 estimated, and the three
 * terms. States amount, response, wt (constant).
 */
export function circadianModel(terms: CircadianTerms): ExpressionModel {
  const { k, v } = CIRCADIAN_TRUTH;
  return expressionModel({
    states: ['amount', 'response', 'wt'],
    parameters: {
      k: scalar(k, { frozen: true }),
      v: scalar(v, { frozen: true }),
      kin: scalar(1, { transform: 'positive' }),
      kout: scalar(0.1, { transform: 'positive' }),
      emax: scalar(1, { transform: 'positive' }),
      ec50: scalar(2, { transform: 'positive' }),
    },
    terms: { rhythm: terms.rhythm, correction: terms.correction, covariate: terms.covariate },
    definitions: {
      c: 'amount/v',
      // The correction vanishes with c, so that it cannot trade a drug-free offset for kout.
      effect: 'emax*c/(ec50 + c) + c/10*correction(c/10)',
    },
    equations: {
      amount: '-k*amount',
      response: `kin*exp(rhythm(${terms.rhythmInput})) - kout*exp(covariate(wt))*(1 + effect)*response`,
      wt: '0',
    },
  });
}
