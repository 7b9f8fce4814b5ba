/**
 * Individual parameters written as expressions, the way model files write them:
 *
 *   { cl: 'exp(tcl + eta.cl) * (WT/70)^0.75', v: 'exp(tv + eta.v)' }
 *
 * Each expression may use fixed effects θ by name, random effects as `eta.<name>`, covariates by
 * name and the functions models allow. Parsed by mathjs once and compiled to a plain JavaScript
 * function (as model right-hand sides are), so evaluating them costs no interpretation.
 */
import { parse, type MathNode } from 'mathjs';
import { ScichainError } from '../../errors.ts';
import { EMIT_HELPERS, emitJs } from '../../expressions/emit-js.ts';
import { freeSymbols } from '../../expressions/parse.ts';

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

const ETA = /\beta\.([A-Za-z_][A-Za-z0-9_]*)/g;
const ETA_PREFIX = 'eta__';

/** Compiles individual-parameter expressions given the model's θ and η names. */
export function compileIndividual(
  expressions: Readonly<Record<string, string>>,
  thetaNames: readonly string[],
  etaNames: readonly string[],
): CompiledIndividual {
  const names = Object.keys(expressions);
  if (names.length === 0)
    throw new ScichainError('InvalidArgument', 'no individual parameters were given');
  const theta = new Set(thetaNames);
  const eta = new Set(etaNames);
  const covariates = new Set<string>();
  const lines: string[] = [];
  names.forEach((name, k) => {
    const text = expressions[name];
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ScichainError(
        'InvalidArgument',
        `individual parameter '${name}' needs an expression`,
      );
    }
    let node: MathNode;
    try {
      node = parse(text.replace(ETA, `${ETA_PREFIX}$1`));
    } catch (e) {
      throw new ScichainError(
        'InvalidArgument',
        `individual parameter '${name}': cannot parse "${text}": ${(e as Error).message}`,
      );
    }
    for (const symbol of freeSymbols(node)) {
      if (symbol.startsWith(ETA_PREFIX)) {
        const e = symbol.slice(ETA_PREFIX.length);
        if (!eta.has(e)) {
          throw new ScichainError(
            'UnknownName',
            `individual parameter '${name}' uses eta.${e}, but the model's random effects are ${etaNames.join(', ')}`,
          );
        }
      } else if (!theta.has(symbol)) {
        covariates.add(symbol);
      }
    }
    const code = emitJs(node, (symbol) =>
      symbol.startsWith(ETA_PREFIX)
        ? `eta[${JSON.stringify(symbol.slice(ETA_PREFIX.length))}]`
        : theta.has(symbol)
          ? `theta[${JSON.stringify(symbol)}]`
          : `cov[${JSON.stringify(symbol)}]`,
    );
    lines.push(`phi[${k}] = ${code};`);
  });
  const source = `"use strict"; ${EMIT_HELPERS}
return function individual(theta, eta, cov, phi) {
  ${lines.join('\n  ')}
};`;
  const evaluate = new Function(source)() as CompiledIndividual['evaluate'];
  return { names, covariates: [...covariates], evaluate, source };
}
