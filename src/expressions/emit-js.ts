/**
 * mathjs expression trees to JavaScript source — the one path by which any expression (ODE
 * right-hand sides, observations, individual parameters, their derivatives) becomes code run by
 * `new Function`. It is an allow-list: finite numbers, symbols the caller maps to its own
 * generated variables, the allowed functions of `functions.ts` and + − * / ^. Anything else
 * (strings, booleans, accessors, assignments, …) is refused, so text from a model file can never
 * become code, whatever the validator before it let through.
 *
 * Every operation is parenthesised (mathjs and JavaScript precedences differ: `-x^2` is −(x²) in
 * mathjs), and small integer powers become multiplications, which V8 runs far faster than
 * Math.pow.
 */
import type {
  ConstantNode,
  FunctionNode,
  MathNode,
  OperatorNode,
  ParenthesisNode,
  SymbolNode,
} from 'mathjs';
import { ScichainError } from '../core/errors.ts';
import { MATH_CONSTANTS, allowedFunction } from './functions.ts';

/**
 * Names the symbol callback may be asked about: ASCII identifiers (validated declared names, or
 * generated ones such as `__z0_1`). Anything else never reaches the caller.
 */
const SYMBOL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What the symbol callback may return: a variable, or a variable indexed by an integer. */
const SYMBOL_CODE = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\[[0-9]+\])?$/;
/** What `String(x)` gives for a finite number. */
const NUMBER_TEXT = /^[0-9]+(?:\.[0-9]+)?(?:e[+-][0-9]+)?$/;

/**
 * A finite number as a JavaScript literal (negative ones parenthesised, so `a - -1` cannot become
 * `a--1`); anything else is refused.
 */
export function numberLiteral(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ScichainError(
      'InvalidArgument',
      `the constant ${describeValue(value)} is not a finite number`,
    );
  }
  const magnitude = String(Math.abs(value));
  // Belt and braces: String() of a finite number always has this form.
  if (!NUMBER_TEXT.test(magnitude)) {
    throw new ScichainError('InvalidArgument', `internal: unexpected number text ${magnitude}`);
  }
  return value < 0 || Object.is(value, -0) ? `(-${magnitude})` : magnitude;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) {
    return String(value);
  }
  return `of type ${typeof value}`;
}

/** A node's text for messages (mathjs's own printing, guarded against odd trees). */
function nodeText(node: MathNode): string {
  try {
    return node.toString();
  } catch {
    return `(a ${String((node as { type?: unknown }).type)})`;
  }
}

/**
 * Emits JavaScript for `node`; `symbol(name)` gives the JavaScript variable of a symbol (it is
 * only asked about ASCII identifiers, and must answer with a variable or `variable[index]`).
 * `where` names the expression in error messages (e.g. "equation for 'x'").
 */
export function emitJs(
  node: MathNode,
  symbol: (name: string) => string,
  where = 'expression',
): string {
  const refuse = (n: MathNode, why: string): never => {
    throw new ScichainError(
      'InvalidArgument',
      `${where}: cannot compile '${nodeText(n)}' to JavaScript (${why}) in "${nodeText(node)}"`,
    );
  };
  const go = (n: MathNode): string => {
    switch (n.type) {
      case 'ConstantNode': {
        const v = (n as ConstantNode).value as unknown;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          return refuse(n, `the constant ${describeValue(v)} is not a finite number`);
        }
        return numberLiteral(v);
      }
      case 'SymbolNode': {
        const name = (n as SymbolNode).name as unknown;
        if (typeof name !== 'string' || !SYMBOL_NAME.test(name)) {
          return refuse(n, 'not a valid symbol name');
        }
        const constant = MATH_CONSTANTS.get(name);
        if (constant !== undefined) return constant;
        const code = symbol(name);
        if (typeof code !== 'string' || !SYMBOL_CODE.test(code)) {
          return refuse(n, `internal: symbol '${name}' maps to unsafe code`);
        }
        return code;
      }
      case 'ParenthesisNode':
        return go((n as ParenthesisNode).content);
      case 'OperatorNode': {
        const op = n as OperatorNode<never, never>;
        const args: readonly MathNode[] = Array.isArray(op.args) ? op.args : [];
        const fn = op.fn as string;
        const unary = fn === 'unaryMinus' || fn === 'unaryPlus';
        // mathjs trees are binary, but simplification may leave n-ary sums and products.
        const nary = fn === 'add' || fn === 'multiply';
        if (unary ? args.length !== 1 : nary ? args.length < 2 : args.length !== 2) {
          return refuse(n, `${args.length} operand(s) for '${fn}'`);
        }
        switch (fn) {
          case 'unaryMinus':
            return `(-${go(args[0])})`;
          case 'unaryPlus':
            return go(args[0]);
          case 'add':
            return `(${args.map(go).join(' + ')})`;
          case 'subtract':
            return `(${go(args[0])} - ${go(args[1])})`;
          case 'multiply':
            return `(${args.map(go).join(' * ')})`;
          case 'divide':
            return `(${go(args[0])} / ${go(args[1])})`;
          case 'pow':
            return power(args[1], go(args[0]), go(args[1]));
        }
        return refuse(n, `the operator '${fn}' is not allowed`);
      }
      case 'FunctionNode': {
        const call = n as FunctionNode;
        // `a.f(x)` and `f(x)(y)` have a non-symbol callee: never a plain function name.
        if (call.fn?.type !== 'SymbolNode') return refuse(n, 'not a call of a named function');
        const name = (call.fn as unknown as SymbolNode).name;
        const f = allowedFunction(name);
        if (f === undefined) return refuse(n, `'${name}' is not an allowed function`);
        const args: readonly MathNode[] = Array.isArray(call.args) ? call.args : [];
        if (f.arity !== args.length) {
          return refuse(n, `${name} takes ${f.arity} argument(s), not ${args.length}`);
        }
        return f.emit(args.map(go));
      }
    }
    return refuse(n, `${String(n.type)} is not allowed`);
  };
  return go(node);
}

function power(exponentNode: MathNode, base: string, exponent: string): string {
  if (exponentNode.type === 'ConstantNode') {
    const k = (exponentNode as ConstantNode).value as unknown;
    if (k === 1) return base;
    if (k === 2) return `__square(${base})`;
    if (k === 3) return `__cube(${base})`;
    if (k === -1) return `(1 / ${base})`;
    if (k === -2) return `(1 / __square(${base}))`;
    if (k === 0.5) return `Math.sqrt(${base})`;
  }
  return `Math.pow(${base}, ${exponent})`;
}

/** Helpers the emitted code calls (inlined by the JIT). */
export const EMIT_HELPERS = `const __square = (x) => x * x; const __cube = (x) => x * x * x;`;
