/**
 * Emax (hyperbolic) drug effect, as an effect function of the concentration:
 *   effect = e0 + emax·conc/(ec50 + conc).
 * It has no states: it adds the definition `effect` to a PK model, to be observed with
 * {@link effectObservation} (or used in further equations).
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import type { Observation } from '../../src/model/observation.ts';
import { oneCompartmentIvPart } from '../pk/one-compartment-iv.ts';
import {
  modelFromParts,
  positiveParameter,
  type ModelPart,
  type PartParameters,
} from '../pk/model-part.ts';

/** Typical values: baseline e0 (untransformed), maximal effect emax, potency ec50. */
export const EMAX_TYPICAL = { e0: 10, emax: 50, ec50: 2 };

/** The effect as a part; `concentration` is the expression it acts on (default `conc`). */
export function emaxPart(
  values: Partial<typeof EMAX_TYPICAL> = {},
  concentration = 'conc',
): ModelPart {
  const { e0, emax, ec50 } = { ...EMAX_TYPICAL, ...values };
  const c = `(${concentration})`;
  return {
    states: [],
    parameters: { e0, emax: positiveParameter(emax), ec50: positiveParameter(ec50) },
    definitions: { effect: `e0 + emax*${c}/(ec50 + ${c})` },
    equations: {},
  };
}

/** A PK part (default one-compartment IV) with an Emax effect. */
export function emaxModel(
  pk: ModelPart = oneCompartmentIvPart(),
  values: Partial<typeof EMAX_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([pk, emaxPart(values)], extra);
}

/** Observes the concentration and the effect (outputs `conc`, `effect`). */
export function effectObservation(model: ExpressionModel): Observation {
  return model.observation({ conc: 'conc', effect: 'effect' });
}
