/**
 * One-compartment PK with transit-compartment absorption (Savic et al., J Pharmacokinet
 * Pharmacodyn 2007;34:711–726): the dose passes through a chain of n transit compartments with
 * rate ktr = n/mtt before it reaches the central compartment, so absorption starts slowly and
 * peaks late — a delay that first-order absorption cannot make.
 *
 *   transit1′ = −ktr·transit1,   transitk′ = ktr·(transit(k−1) − transitk),
 *   central′  = ktr·transitn − cl·conc,   conc = central/v.
 *
 * CMT 1 = transit1 (the dose), CMT n + 1 = central. mtt is the mean transit time.
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import { modelFromParts, positiveParameters, type ModelPart } from './model-part.ts';

/** Typical values (hours, litres, mg). */
export const TRANSIT_ABSORPTION_TYPICAL = { mtt: 1.5, cl: 4, v: 30 };

/** The model as a part, with n transit compartments. */
export function transitAbsorptionPart(
  n: number,
  values: Partial<typeof TRANSIT_ABSORPTION_TYPICAL> = {},
): ModelPart {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`transit compartments: ${n}`);
  const { mtt, cl, v } = { ...TRANSIT_ABSORPTION_TYPICAL, ...values };
  const transit = Array.from({ length: n }, (_, k) => `transit${k + 1}`);
  const equations: Record<string, string> = {};
  transit.forEach((name, k) => {
    equations[name] = k === 0 ? `-ktr*${name}` : `ktr*(${transit[k - 1]} - ${name})`;
  });
  equations.central = `ktr*${transit[n - 1]} - cl*conc`;
  return {
    states: [...transit, 'central'],
    parameters: positiveParameters({ mtt, cl, v }),
    definitions: { ktr: `${n}/mtt`, conc: 'central/v' },
    equations,
  };
}

/** The compiled model with n transit compartments (default 4). */
export function transitAbsorption(
  n = 4,
  values: Partial<typeof TRANSIT_ABSORPTION_TYPICAL> = {},
): ExpressionModel {
  return modelFromParts([transitAbsorptionPart(n, values)]);
}
