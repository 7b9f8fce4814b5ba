/**
 * Two-compartment PK, IV dosing: central (cl, v) exchanging with a peripheral (q, v2).
 *   central′    = rate_central − cl·conc − q·conc + q·peripheral/v2
 *   peripheral′ = q·conc − q·peripheral/v2,   conc = central/v.
 * CMT 1 = central, CMT 2 = peripheral.
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
export const TWO_COMPARTMENT_IV_TYPICAL = { cl: 4, v: 30, q: 8, v2: 60 };

/** The model as a part (to combine with PD parts). */
export function twoCompartmentIvPart(
  values: Partial<typeof TWO_COMPARTMENT_IV_TYPICAL> = {},
): ModelPart {
  const { cl, v, q, v2 } = { ...TWO_COMPARTMENT_IV_TYPICAL, ...values };
  return {
    states: ['central', 'peripheral'],
    parameters: {
      ...positiveParameters({ cl, v, q, v2 }),
      rate_central: infusionRateParameter(),
    },
    definitions: { conc: 'central/v', conc2: 'peripheral/v2' },
    equations: {
      central: 'rate_central - cl*conc - q*(conc - conc2)',
      peripheral: 'q*(conc - conc2)',
    },
  };
}

/** The compiled model; `extra` parameters are appended to its layout. */
export function twoCompartmentIv(
  values: Partial<typeof TWO_COMPARTMENT_IV_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([twoCompartmentIvPart(values)], extra);
}
