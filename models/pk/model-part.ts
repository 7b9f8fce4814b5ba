/**
 * Building blocks of the PK/PD model library: a model *part* is the states, parameters,
 * definitions and equations of one mechanism (a PK disposition, a drug effect, a turnover).
 * Parts are combined into one `expressionModel` — PK first, so that the dosing compartments
 * keep their NONMEM numbers (CMT k = state k − 1).
 *
 * Conventions: concentrations are in the definition `conc` (central amount / v); infusions
 * reach a compartment `x` through the frozen, untransformed parameter `rate_x` that the dose
 * events set (see `src/pharmacometrics/dosing/infusion-inputs.ts`); positive parameters are
 * log-transformed (`scalar(value, { transform: 'positive' })`).
 */
import {
  expressionModel,
  type ExpressionModel,
  type ExpressionModelSpec,
} from '../../src/expressions/expression-model.ts';
import { scalar, type ScalarBlockSpec } from '../../src/parameters/layout.ts';
import { ScichainError } from '../../src/core/errors.ts';

/** Parameter values or blocks, by name. */
export type PartParameters = Readonly<Record<string, number | ScalarBlockSpec>>;

/** One mechanism of a model. */
export interface ModelPart {
  readonly states: readonly string[];
  readonly parameters: PartParameters;
  readonly definitions?: Readonly<Record<string, string>>;
  readonly equations: Readonly<Record<string, string>>;
}

/** A positive (log-transformed) parameter. */
export function positiveParameter(value: number): ScalarBlockSpec {
  return scalar(value, { transform: 'positive' });
}

/** Positive (log-transformed) parameters, one per value, in the order given. */
export function positiveParameters(
  values: Readonly<Record<string, number>>,
): Record<string, ScalarBlockSpec> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, positiveParameter(value)]),
  );
}

/** The infusion-rate input of a compartment: 0, untransformed, frozen. */
export function infusionRateParameter(): ScalarBlockSpec {
  return scalar(0, { frozen: true });
}

/** Merges parts in order into one expression-model spec; names must not collide. */
export function combineParts(...parts: readonly ModelPart[]): ExpressionModelSpec {
  const states: string[] = [];
  const parameters: Record<string, number | ScalarBlockSpec> = {};
  const definitions: Record<string, string> = {};
  const equations: Record<string, string> = {};
  const claim = (kind: string, name: string, taken: boolean): void => {
    if (taken) {
      throw new ScichainError('InvalidArgument', `two model parts define the ${kind} '${name}'`);
    }
  };
  for (const part of parts) {
    for (const s of part.states) {
      claim('state', s, states.includes(s));
      states.push(s);
    }
    for (const [k, v] of Object.entries(part.parameters)) {
      claim('parameter', k, k in parameters);
      parameters[k] = v;
    }
    for (const [k, v] of Object.entries(part.definitions ?? {})) {
      claim('definition', k, k in definitions);
      definitions[k] = v;
    }
    for (const [k, v] of Object.entries(part.equations)) {
      claim('equation', k, k in equations);
      equations[k] = v;
    }
  }
  return { states, parameters, definitions, equations };
}

/** Compiles combined parts; `extra` parameters (residual error, dose amounts…) are appended. */
export function modelFromParts(
  parts: readonly ModelPart[],
  extra: PartParameters = {},
): ExpressionModel {
  return expressionModel(combineParts(...parts, { states: [], parameters: extra, equations: {} }));
}
