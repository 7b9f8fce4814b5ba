/**
 * Turnover of an endogenous response R (hormone, biomarker) — zero-order production kin,
 * first-order loss kout — that can itself be dosed (an infusion or bolus of the endogenous
 * substance, CMT 1):
 *   response′ = rate_response + kin − kout·response,   baseline R₀ = kin/kout.
 * The indirect-response models (types I–IV) are this turnover with a drug acting on kin or kout.
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import { ScichainError } from '../../src/core/errors.ts';
import type { FloatArray } from '../../src/core/dtype.ts';
import {
  infusionRateParameter,
  modelFromParts,
  positiveParameter,
  type ModelPart,
  type PartParameters,
} from '../pk/model-part.ts';

/** Typical values: production rate kin (amount/time) and loss rate constant kout (1/time). */
export const TURNOVER_TYPICAL = { kin: 10, kout: 0.5 };

/** The turnover as a part. */
export function turnoverPart(values: Partial<typeof TURNOVER_TYPICAL> = {}): ModelPart {
  const { kin, kout } = { ...TURNOVER_TYPICAL, ...values };
  return {
    states: ['response'],
    parameters: {
      kin: positiveParameter(kin),
      kout: positiveParameter(kout),
      rate_response: infusionRateParameter(),
    },
    equations: { response: 'rate_response + kin - kout*response' },
  };
}

/** The compiled turnover model. */
export function turnoverModel(
  values: Partial<typeof TURNOVER_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([turnoverPart(values)], extra);
}

/**
 * The drug-free steady state of a model with a `response` state and parameters kin, kout
 * (this one or an indirect-response model): zeros except response = kin/kout — the initial
 * state (and the state resets return to) for `solve` and `scheduleEvents`.
 */
export function baselineState(model: ExpressionModel, p: FloatArray): Float64Array {
  const u0 = new Float64Array(model.stateCount);
  const k = model.stateNames.indexOf('response');
  if (k < 0) {
    throw new ScichainError('InvalidArgument', "baselineState: the model has no state 'response'");
  }
  u0[k] = model.layout.get(p, 'kin') / model.layout.get(p, 'kout');
  return u0;
}
