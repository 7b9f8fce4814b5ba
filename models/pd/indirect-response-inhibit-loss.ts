/**
 * Indirect response, type II (inhibition of loss): the drug concentration acts on the turnover of a
 * response R through a hyperbolic function,
 *   response′ = kin − kout·(1 − imax·conc/(ic50 + conc))·response,
 * baseline R₀ = kin/kout (start there: `baselineState` in `turnover.ts`). The PK part comes
 * first (default one-compartment IV), so its compartments keep their CMT numbers and the
 * response is the last state.
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import { scalar } from '../../src/parameters/layout.ts';
import { oneCompartmentIvPart } from '../pk/one-compartment-iv.ts';
import {
  modelFromParts,
  positiveParameter,
  type ModelPart,
  type PartParameters,
} from '../pk/model-part.ts';

/** Typical values: production kin, loss kout, maximal inhibition imax ∈ (0, 1) (logistic transform), potency ic50. */
export const INDIRECT_RESPONSE_II_TYPICAL = { kin: 10, kout: 0.5, imax: 0.8, ic50: 2 };

/** The response as a part; `concentration` is the driving expression (default `conc`). */
export function indirectResponseIIPart(
  values: Partial<typeof INDIRECT_RESPONSE_II_TYPICAL> = {},
  concentration = 'conc',
): ModelPart {
  const { kin, kout, imax, ic50 } = { ...INDIRECT_RESPONSE_II_TYPICAL, ...values };
  const c = `(${concentration})`;
  return {
    states: ['response'],
    parameters: {
      kin: positiveParameter(kin),
      kout: positiveParameter(kout),
      imax: scalar(imax, { transform: [0, 1] }),
      ic50: positiveParameter(ic50),
    },
    equations: { response: `kin - kout*(1 - imax*${c}/(ic50 + ${c}))*response` },
  };
}

/** A PK part (default one-compartment IV) driving an indirect response of type II. */
export function indirectResponseII(
  pk: ModelPart = oneCompartmentIvPart(),
  values: Partial<typeof INDIRECT_RESPONSE_II_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([pk, indirectResponseIIPart(values)], extra);
}
