/**
 * Parsing model expressions with mathjs, once: definitions are substituted, every call of a
 * term (network, surrogate) becomes an opaque symbol per output, and anything that cannot be
 * compiled to differentiable JavaScript is refused with the expression and the reason.
 */
import {
  ParenthesisNode,
  SymbolNode,
  parse,
  type AccessorNode,
  type ConstantNode,
  type FunctionNode,
  type MathNode,
} from 'mathjs';
import { ScichainError } from '../core/errors.ts';
import { MATH_CONSTANTS } from './functions.ts';
import {
  quoteSource,
  validateExpression,
  type ExpressionScope,
  type Fail,
  type Rewrite,
} from './validate.ts';

/** Sizes of a term callable inside expressions. */
export interface TermShape {
  readonly inputSize: number;
  readonly outputSize: number;
}

/** The names expressions can use. */
export interface SymbolTable {
  readonly states: readonly string[];
  readonly parameters: readonly string[];
  readonly terms: ReadonlyMap<string, TermShape>;
  /** Intermediate variables `name = expression`, in order (each may use earlier ones). */
  readonly definitions: readonly (readonly [string, string])[];
  /** Name of the time variable (default `t`). */
  readonly time: string;
}

/** One call of a term, shared by every expression that makes the same call. */
export interface TermCall {
  readonly term: string;
  /** Argument expressions (states, parameters, t and outputs of earlier calls). */
  readonly args: readonly MathNode[];
  /** Symbol standing for each output of the call. */
  readonly outputs: readonly string[];
}

/** Outputs with term calls replaced by symbols, and the calls in evaluation order. */
export interface ParsedSystem {
  readonly outputs: readonly { readonly name: string; readonly node: MathNode }[];
  readonly calls: readonly TermCall[];
}

/** Declared names: ASCII letters first, so they can never collide with generated `__` names. */
export const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The JavaScript for mathjs constants (`pi`, `e`) by name (prototype-free lookup). */
export function constantValue(name: string): string | undefined {
  return MATH_CONSTANTS.get(name);
}

/** Is `name` one of the symbols standing for a term output? */
export function isTermOutput(name: string): boolean {
  return name.startsWith('__z');
}

/** Checks that declared names are identifiers, distinct, and do not shadow t, pi or e. */
export function checkNames(table: SymbolTable): void {
  const seen = new Map<string, string>();
  if (
    typeof table.time !== 'string' ||
    !IDENTIFIER.test(table.time) ||
    MATH_CONSTANTS.has(table.time)
  ) {
    throw new ScichainError(
      'InvalidArgument',
      `time name '${String(table.time)}' must start with a letter, contain only letters, digits and _, and not be pi or e`,
    );
  }
  const add = (name: string, kind: string): void => {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new ScichainError(
        'InvalidArgument',
        `${kind} name '${String(name)}' must start with a letter and contain only letters, digits and _`,
      );
    }
    if (name === table.time || MATH_CONSTANTS.has(name)) {
      throw new ScichainError(
        'InvalidArgument',
        `${kind} name '${name}' is reserved (${name === table.time ? 'time' : 'a mathjs constant'})`,
      );
    }
    const before = seen.get(name);
    if (before !== undefined) {
      throw new ScichainError(
        'InvalidArgument',
        `'${name}' is declared twice (as a ${before} and as a ${kind})`,
      );
    }
    seen.set(name, kind);
  };
  table.states.forEach((n) => add(n, 'state'));
  table.parameters.forEach((n) => add(n, 'parameter'));
  for (const n of table.terms.keys()) add(n, 'term');
  table.definitions.forEach(([n]) => add(n, 'definition'));
}

function describeKnown(table: SymbolTable): string {
  const list = (xs: Iterable<string>): string => [...xs].join(', ') || 'none';
  return (
    `states: ${list(table.states)}; parameters: ${list(table.parameters)}; ` +
    `terms: ${list(table.terms.keys())}; definitions: ${list(table.definitions.map(([n]) => n))}; ` +
    `time: ${table.time}`
  );
}

function parseOne(source: string, where: string): MathNode {
  if (typeof source !== 'string') {
    throw new ScichainError('InvalidArgument', `${where} must be a string, got ${typeof source}`);
  }
  if (source.trim() === '') {
    throw new ScichainError('InvalidArgument', `${where} is empty`);
  }
  try {
    return parse(source);
  } catch (e) {
    const why = e instanceof RangeError ? 'it is nested too deeply' : (e as Error).message;
    throw new ScichainError(
      'InvalidArgument',
      `${where} does not parse: ${why} in ${quoteSource(source)}`,
    );
  }
}

/**
 * Parses output expressions (`[name, source]`) against a symbol table; `describe(name)` names an
 * output in error messages (e.g. "equation for 'central'").
 */
export function parseSystem(
  table: SymbolTable,
  sources: readonly (readonly [string, string])[],
  describe: (name: string) => string,
): ParsedSystem {
  const states = new Set(table.states);
  const params = new Set(table.parameters);
  const definitions = new Map<string, MathNode>();
  const calls: TermCall[] = [];
  const callIndex = new Map<string, number>();

  /** The scope of one expression: declared names, earlier definitions and term calls. */
  const scopeFor = (): ExpressionScope => {
    // A term call, with or without an output index.
    const termCall = (
      fn: FunctionNode,
      name: string,
      index: AccessorNode['index'] | null,
      rewrite: Rewrite,
      fail: Fail,
    ): MathNode => {
      const shape = table.terms.get(name);
      if (shape === undefined) return fail(`'${name}' is not a term`);
      if (fn.args.length !== shape.inputSize) {
        fail(`${name} takes ${shape.inputSize} inputs but is called with ${fn.args.length}`);
      }
      let output = 0;
      if (index === null) {
        if (shape.outputSize !== 1) {
          fail(
            `${name} has ${shape.outputSize} outputs: select one with ${name}(…)[k], k = 1…${shape.outputSize} (mathjs indices start at 1)`,
          );
        }
      } else {
        const dims = index.dimensions;
        const k =
          dims.length === 1 && dims[0].type === 'ConstantNode'
            ? (dims[0] as ConstantNode).value
            : NaN;
        if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > shape.outputSize) {
          fail(
            `${name}(…)[${dims.map((d) => d.toString()).join(', ')}]: the index must be a constant 1…${shape.outputSize} (mathjs indices start at 1)`,
          );
        }
        output = (k as number) - 1;
      }
      const args = fn.args.map(rewrite);
      const key = `${name}(${args.map((a) => a.toString()).join(', ')})`;
      let k = callIndex.get(key);
      if (k === undefined) {
        k = calls.length;
        callIndex.set(key, k);
        calls.push({
          term: name,
          args,
          outputs: Array.from({ length: shape.outputSize }, (_, j) => `__z${k}_${j}`),
        });
      }
      return new SymbolNode(calls[k].outputs[output]);
    };
    return {
      symbol(name, fail) {
        if (states.has(name) || params.has(name) || name === table.time) {
          return new SymbolNode(name);
        }
        if (MATH_CONSTANTS.has(name)) return new SymbolNode(name);
        const d = definitions.get(name);
        if (d !== undefined) return new ParenthesisNode(d);
        if (table.terms.has(name)) return fail(`the term ${name} must be called, e.g. ${name}(…)`);
        const later = table.definitions.some(([n]) => n === name);
        return fail(
          later
            ? `'${name}' is a definition declared later (definitions may only use earlier ones)`
            : `unknown symbol '${name}' (${describeKnown(table)})`,
        );
      },
      accessor(acc, rewrite, fail) {
        if (acc.object.type === 'FunctionNode') {
          const fn = acc.object as FunctionNode;
          const callee = fn.fn as unknown as SymbolNode;
          if (callee.type === 'SymbolNode' && table.terms.has(callee.name)) {
            return termCall(fn, callee.name, acc.index, rewrite, fail);
          }
        }
        return fail(`indexing '${acc.toString()}' is only allowed on term calls such as nn(x)[1]`);
      },
      call(fn, name, rewrite, fail) {
        return table.terms.has(name) ? termCall(fn, name, null, rewrite, fail) : null;
      },
      callables: `terms: ${[...table.terms.keys()].join(', ') || 'none'}`,
    };
  };
  const scope = scopeFor();
  const rewrite = (node: MathNode, where: string, source: string): MathNode =>
    validateExpression(node, scope, where, source);

  for (const [name, source] of table.definitions) {
    const where = `definition '${name}'`;
    definitions.set(name, rewrite(parseOne(source, where), where, source));
  }
  const outputs = sources.map(([name, source]) => {
    const where = describe(name);
    return { name, node: rewrite(parseOne(source, where), where, source) };
  });
  return { outputs, calls };
}

/** The symbols (states, parameters, time, term outputs) an expression depends on. */
export function freeSymbols(node: MathNode): Set<string> {
  const out = new Set<string>();
  node.traverse((n, path) => {
    // A function's name is a SymbolNode at path 'fn': not a value.
    if (n.type === 'SymbolNode' && path !== 'fn' && !MATH_CONSTANTS.has((n as SymbolNode).name)) {
      out.add((n as SymbolNode).name);
    }
  });
  return out;
}
