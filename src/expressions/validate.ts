/**
 * The allow-list every expression from a model passes before it is compiled: ODE equations,
 * observations, definitions and individual parameters alike. A parsed mathjs tree is rebuilt
 * from fresh nodes of five kinds only — finite numbers, symbols the scope resolves, calls of
 * allowed functions (or of the scope's own callables, such as network terms), + − * / ^ and
 * parentheses. Anything else is refused with the expression named and the reason, before any
 * code is generated ({@link emitJs} checks the same allow-list again when it writes code).
 */
import {
  ConstantNode,
  FunctionNode,
  OperatorNode,
  ParenthesisNode,
  SymbolNode,
  type AccessorNode,
  type MathNode,
} from 'mathjs';
import { ScichainError } from '../core/errors.ts';
import { ALLOWED_FUNCTIONS, allowedFunction, refusedFunction } from './functions.ts';

/** Throws a ScichainError naming the expression, with the reason. */
export type Fail = (why: string) => never;
/** Validates a subtree (for a scope's arguments and indices). */
export type Rewrite = (node: MathNode) => MathNode;

/** How names resolve in one kind of expression. */
export interface ExpressionScope {
  /** A symbol used as a value: the node standing for it (resolved, or substituted), or fail. */
  symbol(name: string, fail: Fail): MathNode;
  /** `object[index]` or `object.name`; refused when absent. */
  accessor?(node: AccessorNode, rewrite: Rewrite, fail: Fail): MathNode;
  /** A call of `name` that is the scope's own (e.g. a term); null when `name` is not one. */
  call?(node: FunctionNode, name: string, rewrite: Rewrite, fail: Fail): MathNode | null;
  /** Text added to the unknown-function message (e.g. "terms: nn"). */
  readonly callables?: string;
}

/**
 * Deeper trees are refused: the parser, differentiator and emitter recurse over them, and a
 * stack overflow must be a clear error, not a RangeError. A sum of n terms is n levels deep
 * (mathjs nests `a + b + c` as `(a + b) + c`); 500 terms compile in well under a second.
 */
export const MAX_EXPRESSION_DEPTH = 512;

/** An expression's text for a message: quoted (JSON-escaped), and cut short when long. */
export function quoteSource(source: string): string {
  return source.length <= 200
    ? JSON.stringify(source)
    : `${JSON.stringify(`${source.slice(0, 200)}…`)} (${source.length} characters)`;
}

/** Depth of each validated tree, so a substituted definition counts with its own depth. */
const DEPTH = new WeakMap<MathNode, number>();

const OPERATORS: ReadonlyMap<string, string> = new Map([
  ['add', '+'],
  ['subtract', '-'],
  ['multiply', '*'],
  ['divide', '/'],
  ['pow', '^'],
  ['unaryMinus', '-'],
  ['unaryPlus', '+'],
]);

const NODE_KINDS: ReadonlyMap<string, string> = new Map([
  ['AssignmentNode', 'assignments are not allowed'],
  ['FunctionAssignmentNode', 'function definitions are not allowed'],
  ['ConditionalNode', 'conditionals are not allowed (not differentiable)'],
  ['BlockNode', 'several statements are not allowed (one expression per entry)'],
  ['ArrayNode', 'arrays are not allowed'],
  ['ObjectNode', 'objects are not allowed'],
  ['RangeNode', 'ranges are not allowed'],
  ['RelationalNode', 'comparisons are not allowed (not differentiable)'],
  ['IndexNode', 'indices are not allowed'],
]);

/** A value for messages, quoted when it is a string. */
function describeConstant(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) {
    return `the constant ${String(value)}`;
  }
  return `a constant of type ${typeof value}`;
}

function text(node: MathNode): string {
  try {
    return node.toString();
  } catch {
    return `(a ${String((node as { type?: unknown }).type)})`;
  }
}

/**
 * Rebuilds `node` from allowed parts, resolving names through `scope`. `where` and `source` name
 * the expression in errors ("equation for 'x': unknown symbol 'k' in "k*x"").
 */
export function validateExpression(
  node: MathNode,
  scope: ExpressionScope,
  where: string,
  source: string,
): MathNode {
  const fail: Fail = (why) => {
    throw new ScichainError('InvalidArgument', `${where}: ${why} in ${quoteSource(source)}`);
  };
  const tooDeep = (): never =>
    fail(
      `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep (a sum of n terms is n levels, definitions included); group terms in parentheses or definitions`,
    );
  let depth = 0;
  const rewrite: Rewrite = (n) => {
    if (++depth > MAX_EXPRESSION_DEPTH) tooDeep();
    try {
      const out = visit(n);
      // Depth of the result, substituted definitions included.
      let below = 0;
      out.forEach((child) => (below = Math.max(below, DEPTH.get(child) ?? 1)));
      if (below + 1 > MAX_EXPRESSION_DEPTH) tooDeep();
      DEPTH.set(out, below + 1);
      return out;
    } finally {
      depth--;
    }
  };
  const visit = (n: MathNode): MathNode => {
    switch (n.type) {
      case 'ConstantNode': {
        const v = (n as ConstantNode).value as unknown;
        if (typeof v !== 'number') return fail(`${describeConstant(v)} is not a number`);
        if (!Number.isFinite(v)) return fail(`${describeConstant(v)} is not a finite number`);
        return new ConstantNode(v);
      }
      case 'SymbolNode':
        return scope.symbol((n as SymbolNode).name, fail);
      case 'ParenthesisNode':
        return new ParenthesisNode(rewrite((n as ParenthesisNode).content));
      case 'OperatorNode': {
        const op = n as OperatorNode<never, never>;
        const fn = op.fn as string;
        const symbol = OPERATORS.get(fn);
        if (symbol === undefined) {
          return fail(
            `the operator '${String(op.op)}' is not allowed (only + − * / ^; comparisons and conditionals are not differentiable)`,
          );
        }
        const unary = fn === 'unaryMinus' || fn === 'unaryPlus';
        if (op.args.length !== (unary ? 1 : 2)) {
          return fail(`'${symbol}' with ${op.args.length} operand(s)`);
        }
        const args = op.args.map(rewrite);
        if (fn === 'unaryPlus') return args[0];
        return new OperatorNode(symbol as never, fn as never, args, op.implicit);
      }
      case 'AccessorNode': {
        const acc = n as AccessorNode;
        if (scope.accessor !== undefined) return scope.accessor(acc, rewrite, fail);
        return fail(`indexing '${text(acc)}' is not allowed`);
      }
      case 'FunctionNode': {
        const call = n as FunctionNode;
        if (call.fn.type !== 'SymbolNode') {
          return fail(`calling '${text(call.fn)}' is not allowed (only named functions)`);
        }
        const name = (call.fn as unknown as SymbolNode).name;
        const own = scope.call?.(call, name, rewrite, fail) ?? null;
        if (own !== null) return own;
        const refused = refusedFunction(name);
        if (refused !== undefined) return fail(refused);
        const allowed = allowedFunction(name);
        if (allowed === undefined) {
          return fail(
            `unknown or unsupported function '${name}' (allowed: ${Object.keys(ALLOWED_FUNCTIONS).join(', ')}${scope.callables === undefined ? '' : `; ${scope.callables}`})`,
          );
        }
        if (call.args.length !== allowed.arity) {
          fail(`${name} takes ${allowed.arity} argument(s) but is given ${call.args.length}`);
        }
        return new FunctionNode(new SymbolNode(name), call.args.map(rewrite));
      }
    }
    const why = NODE_KINDS.get(n.type) ?? `${String(n.type)} is not allowed`;
    return fail(
      `${why}: '${text(n)}' (an expression has numbers, names, functions and + − * / ^ only)`,
    );
  };
  return rewrite(node);
}
