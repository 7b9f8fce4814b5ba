/**
 * Three-compartment PK, IV dosing: central (cl, v) exchanging with a shallow peripheral
 * (q, v2) and a deep one (q3, v3).
 *   central′     = rate_central − cl·conc − q·(conc − conc2) − q3·(conc − conc3)
 *   peripheral1′ = q·(conc − conc2)
 *   peripheral2′ = q3·(conc − conc3),   conc = central/v, conc2 = peripheral1/v2, conc3 = peripheral2/v3.
 * CMT 1 = central, 2 = peripheral1, 3 = peripheral2.
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
export const THREE_COMPARTMENT_IV_TYPICAL = { cl: 4, v: 30, q: 8, v2: 60, q3: 1.5, v3: 200 };

/** The model as a part (to combine with PD parts). */
export function threeCompartmentIvPart(
  values: Partial<typeof THREE_COMPARTMENT_IV_TYPICAL> = {},
): ModelPart {
  const { cl, v, q, v2, q3, v3 } = { ...THREE_COMPARTMENT_IV_TYPICAL, ...values };
  return {
    states: ['central', 'peripheral1', 'peripheral2'],
    parameters: {
      ...positiveParameters({ cl, v, q, v2, q3, v3 }),
      rate_central: infusionRateParameter(),
    },
    definitions: { conc: 'central/v', conc2: 'peripheral1/v2', conc3: 'peripheral2/v3' },
    equations: {
      central: 'rate_central - cl*conc - q*(conc - conc2) - q3*(conc - conc3)',
      peripheral1: 'q*(conc - conc2)',
      peripheral2: 'q3*(conc - conc3)',
    },
  };
}

/** The compiled model; `extra` parameters are appended to its layout. */
export function threeCompartmentIv(
  values: Partial<typeof THREE_COMPARTMENT_IV_TYPICAL> = {},
  extra: PartParameters = {},
): ExpressionModel {
  return modelFromParts([threeCompartmentIvPart(values)], extra);
}
