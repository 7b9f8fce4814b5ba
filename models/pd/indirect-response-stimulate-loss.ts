/**
 * Indirect response, type IV (stimulation of loss): the drug concentration acts on the turnover of a
 * response R through a hyperbolic function,
 *   response′ = kin − kout·(1 + smax·conc/(sc50 + conc))·response,
 * baseline R₀ = kin/kout (start there: `baselineState` in `turnover.ts`). The PK part comes
 * first (default one-compartment IV), so its compartments keep their CMT numbers and the
 * response is the last state.
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import { oneCompartmentIvPart } from '../pk/one-compartment-iv.ts';
import {
  modelFromParts,
  positiveParameter,
  type ModelPart,
  type PartParameters,
} from '../pk/model-part.ts';

/** Typical values: production kin, loss kout, maximal stimulation smax, potency sc50. */
export const INDIRECT_RESPONSE_IV_TYPICAL = { kin: 10, kout: 0.5, smax: 3, sc50: 2 };

/** The response as a part; `concentration` is the driving expression (default `conc`). */
export function indirectResponseIVPart(
  values: Partial<typeof INDIRECT_RESPONSE_IV_TYPICAL> = {},
  concentration = 'conc',
): ModelPart {
  const { kin, kout, smax, sc50 } = { ...INDIRECT_RESPONSE_IV_TYPICAL, ...values };
  const c = `(${concentration})`;
  return {
    states: ['response'],
    parameters: {
      kin: positiveParameter(kin),
      kout: positiveParameter(kout),
      smax: positiveParameter(smax),
      sc50: positiveParameter(sc50),
    },
    equations: { response: `kin - kout*(1 + smax*${c}/(sc50 + ${c}))*response` },
  };
}

/** A PK part (default one-compartment IV) driving an indirect response of type IV. */
export function indirectResponseIV(
  pk: ModelPart = oneCompartmentIvPart(),
  values: Partial<typeof INDIRECT_RESPONSE_IV_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([pk, indirectResponseIVPart(values)], extra);
}
