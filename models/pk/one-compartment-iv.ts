/**
 * One-compartment PK, IV dosing: central amount with clearance cl and volume v.
 *   central′ = rate_central − cl·conc,   conc = central/v.
 * CMT 1 = central.
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
export const ONE_COMPARTMENT_IV_TYPICAL = { cl: 4, v: 30 };

/** The model as a part (to combine with PD parts). */
export function oneCompartmentIvPart(
  values: Partial<typeof ONE_COMPARTMENT_IV_TYPICAL> = {},
): ModelPart {
  const { cl, v } = { ...ONE_COMPARTMENT_IV_TYPICAL, ...values };
  return {
    states: ['central'],
    parameters: {
      ...positiveParameters({ cl, v }),
      rate_central: infusionRateParameter(),
    },
    definitions: { conc: 'central/v' },
    equations: { central: 'rate_central - cl*conc' },
  };
}

/** The compiled model; `extra` parameters are appended to its layout. */
export function oneCompartmentIv(
  values: Partial<typeof ONE_COMPARTMENT_IV_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([oneCompartmentIvPart(values)], extra);
}
