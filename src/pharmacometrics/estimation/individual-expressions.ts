/**
 * Individual parameters written as expressions, the way model files write them:
 *
 *   { cl: 'exp(tcl + eta.cl) * (WT/70)^0.75', v: 'exp(tv + eta.v)' }
 *
 * Each expression may use fixed effects θ by name, random effects as `eta.<name>`, covariates by
 * name and the functions models allow. Parsed by mathjs once, checked by the same allow-list as
 * model equations ({@link validateExpression}) and compiled by the same emitter to a plain
 * JavaScript function, so evaluating them costs no interpretation. Model files are data: no text
 * from them reaches the generated code — θ, η and covariates are read through generated names
 * (`th_0 = theta[TN[0]]`), whatever they are called.
 */
import { SymbolNode, parse, type AccessorNode, type ConstantNode, type MathNode } from 'mathjs';
import { ScichainError } from '../../core/errors.ts';
import { EMIT_HELPERS, emitJs } from '../../expressions/emit-js.ts';
import { MATH_CONSTANTS } from '../../expressions/functions.ts';
import {
  quoteSource,
  validateExpression,
  type ExpressionScope,
} from '../../expressions/validate.ts';

/** A compiled individual model: φ in the order of `names`. */
export interface CompiledIndividual {
  readonly names: readonly string[];
  /** Covariates the expressions read (each subject must have them). */
  readonly covariates: readonly string[];
  readonly evaluate: (
    theta: Readonly<Record<string, number>>,
    eta: Readonly<Record<string, number>>,
    covariates: Readonly<Record<string, number>>,
    phi: Float64Array,
  ) => void;
  /** The generated JavaScript. */
  readonly source: string;
}

/** Generated variable names: θ, η and covariates by index (never the user's text). */
const GENERATED = /^(th|et|cv)_([0-9]+)$/;

/** Compiles individual-parameter expressions given the model's θ and η names. */
export function compileIndividual(
  expressions: Readonly<Record<string, string>>,
  thetaNames: readonly string[],
  etaNames: readonly string[],
): CompiledIndividual {
  if (expressions === null || typeof expressions !== 'object') {
    throw new ScichainError('InvalidArgument', 'individual parameters must be name → expression');
  }
  const names = Object.keys(expressions);
  if (names.length === 0)
    throw new ScichainError('InvalidArgument', 'no individual parameters were given');
  // Prototype-free lookups: a θ called `constructor` is a θ, nothing else.
  const theta = new Map(thetaNames.map((n, k) => [n, k]));
  const eta = new Map(etaNames.map((n, k) => [n, k]));
  const covariates = new Map<string, number>();
  const usedTheta = new Set<number>();
  const usedEta = new Set<number>();
  /** The parameter being compiled, for messages. */
  let where = '';

  const scope: ExpressionScope = {
    symbol(symbol, fail) {
      const k = theta.get(symbol);
      if (MATH_CONSTANTS.has(symbol)) {
        if (k !== undefined) {
          fail(
            `'${symbol}' is both a fixed effect and the mathjs constant ${symbol}; rename the θ`,
          );
        }
        return new SymbolNode(symbol);
      }
      if (k !== undefined) {
        usedTheta.add(k);
        return new SymbolNode(`th_${k}`);
      }
      if (symbol === 'eta') return fail(`random effects are written eta.<name>, not eta alone`);
      // Covariates live in plain records: `__proto__` there is Object.prototype, never a value.
      if (symbol === '__proto__') return fail(`'__proto__' cannot be a covariate name`);
      let c = covariates.get(symbol);
      if (c === undefined) {
        c = covariates.size;
        covariates.set(symbol, c);
      }
      return new SymbolNode(`cv_${c}`);
    },
    accessor(acc: AccessorNode, _rewrite, fail) {
      // eta.cl (or eta["cl"]): one constant string property of the symbol eta.
      const dims = acc.index.dimensions;
      const property =
        dims.length === 1 && dims[0].type === 'ConstantNode'
          ? (dims[0] as ConstantNode).value
          : undefined;
      if (
        acc.object.type === 'SymbolNode' &&
        (acc.object as SymbolNode).name === 'eta' &&
        typeof property === 'string'
      ) {
        const k = eta.get(property);
        if (k === undefined) {
          throw new ScichainError(
            'UnknownName',
            `${where} uses eta.${property}, but the model's random effects are ${etaNames.join(', ')}`,
          );
        }
        usedEta.add(k);
        return new SymbolNode(`et_${k}`);
      }
      return fail(
        `'${acc.toString()}' is not allowed (random effects are written eta.<name>; nothing else is indexed)`,
      );
    },
  };

  const lines: string[] = [];
  names.forEach((name, k) => {
    where = `individual parameter '${name}'`;
    const text = expressions[name] as unknown;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ScichainError('InvalidArgument', `${where} needs an expression`);
    }
    let parsed: MathNode;
    try {
      parsed = parse(text);
    } catch (e) {
      throw new ScichainError(
        'InvalidArgument',
        `${where}: cannot parse ${quoteSource(text)}: ${e instanceof RangeError ? 'it is nested too deeply' : (e as Error).message}`,
      );
    }
    const node = validateExpression(parsed, scope, where, text);
    const code = emitJs(
      node,
      (symbol) => {
        // Only the generated names above reach the code.
        if (!GENERATED.test(symbol)) {
          throw new ScichainError('InvalidArgument', `internal: unmapped symbol ${symbol}`);
        }
        return symbol;
      },
      where,
    );
    lines.push(`phi[${k}] = ${code};`);
  });
  const covariateNames = [...covariates.keys()];
  // Each record is read once per call, through the name arrays passed in: no name is pasted.
  const reads = [
    ...[...usedTheta].sort((a, b) => a - b).map((k) => `const th_${k} = theta[TN[${k}]];`),
    ...[...usedEta].sort((a, b) => a - b).map((k) => `const et_${k} = eta[EN[${k}]];`),
    ...covariateNames.map((_, k) => `const cv_${k} = cov[CN[${k}]];`),
  ];
  const source = `"use strict"; ${EMIT_HELPERS}
return function individual(theta, eta, cov, phi) {
  ${[...reads, ...lines].join('\n  ')}
};`;
  const factory = new Function('TN', 'EN', 'CN', source) as (
    ...names: (readonly string[])[]
  ) => CompiledIndividual['evaluate'];
  const evaluate = factory(
    Object.freeze([...thetaNames]),
    Object.freeze([...etaNames]),
    Object.freeze(covariateNames),
  );
  return { names, covariates: covariateNames, evaluate, source };
}
