/**
 * Two-compartment PK with first-order absorption: depot → central (cl, v) ⇄ peripheral (q, v2).
 *   depot′      = rate_depot − ka·depot
 *   central′    = rate_central + ka·depot − cl·conc − q·(conc − conc2)
 *   peripheral′ = q·(conc − conc2),   conc = central/v, conc2 = peripheral/v2.
 * CMT 1 = depot, 2 = central, 3 = peripheral.
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
export const TWO_COMPARTMENT_ORAL_TYPICAL = { ka: 1.2, cl: 4, v: 30, q: 8, v2: 60 };

/** The model as a part (to combine with PD parts). */
export function twoCompartmentOralPart(
  values: Partial<typeof TWO_COMPARTMENT_ORAL_TYPICAL> = {},
): ModelPart {
  const { ka, cl, v, q, v2 } = { ...TWO_COMPARTMENT_ORAL_TYPICAL, ...values };
  return {
    states: ['depot', 'central', 'peripheral'],
    parameters: {
      ...positiveParameters({ ka, cl, v, q, v2 }),
      rate_depot: infusionRateParameter(),
      rate_central: infusionRateParameter(),
    },
    definitions: { conc: 'central/v', conc2: 'peripheral/v2' },
    equations: {
      depot: 'rate_depot - ka*depot',
      central: 'rate_central + ka*depot - cl*conc - q*(conc - conc2)',
      peripheral: 'q*(conc - conc2)',
    },
  };
}

/** The compiled model; `extra` parameters are appended to its layout. */
export function twoCompartmentOral(
  values: Partial<typeof TWO_COMPARTMENT_ORAL_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([twoCompartmentOralPart(values)], extra);
}
