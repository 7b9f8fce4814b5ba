/**
 * One-compartment PK with first-order absorption: depot (gut) → central.
 *   depot′   = rate_depot − ka·depot
 *   central′ = rate_central + ka·depot − cl·conc,   conc = central/v.
 * CMT 1 = depot, CMT 2 = central.
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import {
  infusionRateParameter,
  modelFromParts,
  positiveParameters,
  type ModelPart,
  type PartParameters,
} from './model-part.ts';

/** Typical values (hours, litres, mg). */
export const ONE_COMPARTMENT_ORAL_TYPICAL = { ka: 1.2, cl: 4, v: 30 };

/** The model as a part (to combine with PD parts). */
export function oneCompartmentOralPart(
  values: Partial<typeof ONE_COMPARTMENT_ORAL_TYPICAL> = {},
): ModelPart {
  const { ka, cl, v } = { ...ONE_COMPARTMENT_ORAL_TYPICAL, ...values };
  return {
    states: ['depot', 'central'],
    parameters: {
      ...positiveParameters({ ka, cl, v }),
      rate_depot: infusionRateParameter(),
      rate_central: infusionRateParameter(),
    },
    definitions: { conc: 'central/v' },
    equations: {
      depot: 'rate_depot - ka*depot',
      central: 'rate_central + ka*depot - cl*conc',
    },
  };
}

/** The compiled model; `extra` parameters are appended to its layout. */
export function oneCompartmentOral(
  values: Partial<typeof ONE_COMPARTMENT_ORAL_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([oneCompartmentOralPart(values)], extra);
}
