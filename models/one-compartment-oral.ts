/**
 * One-compartment PK with first-order absorption: a depot (gut) and a central compartment,
 * clearance cl and volume v (log-transformed), absorption rate ka. Concentration = central/v.
 */
import { expressionModel, type ExpressionModel } from '../src/expressions/expression-model.ts';
import { scalar } from '../src/parameters/layout.ts';

/** Typical values (hours, litres, mg). */
export const ONE_COMPARTMENT_TYPICAL = { ka: 1.2, cl: 4, v: 30 };

/**
 * The model; `extra` parameters (e.g. dose amounts or residual-error parameters) are appended
 * to the layout so that they live in the same p.
 */
export function oneCompartmentOral(
  extra: Readonly<Record<string, number | ReturnType<typeof scalar>>> = {},
): ExpressionModel {
  const { ka, cl, v } = ONE_COMPARTMENT_TYPICAL;
  return expressionModel({
    states: ['depot', 'central'],
    parameters: {
      ka: scalar(ka, { transform: 'positive' }),
      cl: scalar(cl, { transform: 'positive' }),
      v: scalar(v, { transform: 'positive' }),
      ...extra,
    },
    definitions: { conc: 'central/v' },
    equations: { depot: '-ka*depot', central: 'ka*depot - cl*conc' },
  });
}
