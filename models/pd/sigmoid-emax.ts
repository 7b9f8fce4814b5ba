/**
 * Sigmoid Emax (Hill) drug effect, as an effect function of the concentration:
 *   effect = e0 + emax·conc^gamma/(ec50^gamma + conc^gamma).
 * No states: it adds the definition `effect` (observe it with `effectObservation` from
 * `emax.ts`). At conc = 0 the value is e0 but ∂effect/∂gamma is 0·log 0 (NaN): observe it
 * where the concentration is positive.
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import { oneCompartmentIvPart } from '../pk/one-compartment-iv.ts';
import {
  modelFromParts,
  positiveParameter,
  type ModelPart,
  type PartParameters,
} from '../pk/model-part.ts';

/** Typical values: baseline, maximal effect, potency and the Hill coefficient gamma. */
export const SIGMOID_EMAX_TYPICAL = { e0: 10, emax: 50, ec50: 2, gamma: 2 };

/** The effect as a part; `concentration` is the expression it acts on (default `conc`). */
export function sigmoidEmaxPart(
  values: Partial<typeof SIGMOID_EMAX_TYPICAL> = {},
  concentration = 'conc',
): ModelPart {
  const { e0, emax, ec50, gamma } = { ...SIGMOID_EMAX_TYPICAL, ...values };
  const c = `(${concentration})`;
  return {
    states: [],
    parameters: {
      e0,
      emax: positiveParameter(emax),
      ec50: positiveParameter(ec50),
      gamma: positiveParameter(gamma),
    },
    definitions: { effect: `e0 + emax*${c}^gamma/(ec50^gamma + ${c}^gamma)` },
    equations: {},
  };
}

/** A PK part (default one-compartment IV) with a sigmoid Emax effect. */
export function sigmoidEmaxModel(
  pk: ModelPart = oneCompartmentIvPart(),
  values: Partial<typeof SIGMOID_EMAX_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([pk, sigmoidEmaxPart(values)], extra);
}
