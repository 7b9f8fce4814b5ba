/**
 * Expressions as a hash-consed graph: structurally equal subexpressions are one node, so a
 * subexpression shared by several outputs, derivatives or definitions is built, differentiated
 * and emitted once. Nodes are made only from validated mathjs trees (numbers, known symbols,
 * + − * / ^, unary minus and the allowed smooth functions) and from the differentiator.
 *
 * The constructors here fold constant operands (when the result is finite) and nothing else:
 * they keep the order of floating-point operations of the source, so the compiled value of an
 * expression is the value its text describes. Algebraic simplification (0·x, 1·x, x + 0) is the
 * differentiator's business, where it cannot change a model's value.
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
import { ALLOWED_FUNCTIONS } from './functions.ts';
import { constantValue } from './parse.ts';

interface NodeBase {
  /** Unique per distinct expression within one graph. */
  readonly id: number;
  /** The symbols (states, parameters, time, term outputs) the expression depends on. */
  readonly symbols: ReadonlySet<string>;
}

/** A finite number. */
export interface ConstantExpr extends NodeBase {
  readonly kind: 'constant';
  readonly value: number;
}

/** A state, parameter, time or term-output symbol. */
export interface SymbolExpr extends NodeBase {
  readonly kind: 'symbol';
  readonly name: string;
}

/** −x. */
export interface NegateExpr extends NodeBase {
  readonly kind: 'negate';
  readonly arg: Expr;
}

/** The binary operators, by mathjs name. */
export type BinaryKind = 'add' | 'subtract' | 'multiply' | 'divide' | 'pow';

/** left ∘ right. */
export interface BinaryExpr extends NodeBase {
  readonly kind: BinaryKind;
  readonly left: Expr;
  readonly right: Expr;
}

/** A call of an allowed unary function (`pow` is a {@link BinaryExpr}). */
export interface CallExpr extends NodeBase {
  readonly kind: 'call';
  readonly fn: string;
  readonly arg: Expr;
}

/** A node of an {@link ExpressionGraph}. */
export type Expr = ConstantExpr | SymbolExpr | NegateExpr | BinaryExpr | CallExpr;

const NO_SYMBOLS: ReadonlySet<string> = new Set();

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (b.size === 0 || a === b) return a;
  if (a.size === 0) return b;
  let bInA = true;
  for (const x of b) {
    if (!a.has(x)) {
      bInA = false;
      break;
    }
  }
  if (bInA) return a;
  return new Set([...a, ...b]);
}

const BINARY_VALUE: Readonly<Record<BinaryKind, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
};

/**
 * Values of the unary functions, for folding calls on constants (the same JavaScript the
 * emitter produces, so a folded value is the value the generated code would compute).
 */
const CALL_VALUE: Readonly<Record<string, (x: number) => number>> = {
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  cot: (x) => 1 / Math.tan(x),
  sech: (x) => 1 / Math.cosh(x),
  csch: (x) => 1 / Math.sinh(x),
  coth: (x) => 1 / Math.tanh(x),
};

/** Numeric values of the mathjs constants expressions may name. */
const NAMED_CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };

/** Is `e` the constant `value`? */
export function isConstant(e: Expr, value: number): boolean {
  return e.kind === 'constant' && e.value === value;
}

/** A hash-consing factory of expression nodes. */
export class ExpressionGraph {
  private readonly nodes = new Map<string, Expr>();

  /** Number of distinct nodes made so far. */
  get size(): number {
    return this.nodes.size;
  }

  private intern<E extends Expr>(key: string, make: (id: number) => E): E {
    const found = this.nodes.get(key);
    if (found !== undefined) return found as E;
    const node = make(this.nodes.size);
    this.nodes.set(key, node);
    return node;
  }

  /** A finite constant. */
  constant(value: number): Expr {
    if (!Number.isFinite(value)) {
      throw new ScichainError('InvalidArgument', `internal: non-finite constant ${value}`);
    }
    // String(−0) is "0": keep −0 apart so that folding stays exact.
    const key = Object.is(value, -0) ? 'c:-0' : `c:${value}`;
    return this.intern(key, (id) => ({ kind: 'constant', id, symbols: NO_SYMBOLS, value }));
  }

  /** A symbol. */
  symbol(name: string): Expr {
    return this.intern(`s:${name}`, (id) => ({
      kind: 'symbol',
      id,
      symbols: new Set([name]),
      name,
    }));
  }

  /** −x (folded for a constant). */
  negate(arg: Expr): Expr {
    if (arg.kind === 'constant') return this.constant(-arg.value);
    return this.intern(`n:${arg.id}`, (id) => ({ kind: 'negate', id, symbols: arg.symbols, arg }));
  }

  /** left ∘ right (folded when both are constants and the result is finite). */
  binary(kind: BinaryKind, left: Expr, right: Expr): Expr {
    if (left.kind === 'constant' && right.kind === 'constant') {
      const v = BINARY_VALUE[kind](left.value, right.value);
      if (Number.isFinite(v)) return this.constant(v);
    }
    return this.intern(`${kind}:${left.id},${right.id}`, (id) => ({
      kind,
      id,
      symbols: union(left.symbols, right.symbols),
      left,
      right,
    }));
  }

  /** fn(arg) for an allowed unary function (folded for a constant argument). */
  call(fn: string, arg: Expr): Expr {
    if (!Object.hasOwn(ALLOWED_FUNCTIONS, fn) || ALLOWED_FUNCTIONS[fn].arity !== 1) {
      throw new ScichainError('InvalidArgument', `internal: '${fn}' is not a unary function`);
    }
    if (arg.kind === 'constant' && Object.hasOwn(CALL_VALUE, fn)) {
      const v = CALL_VALUE[fn](arg.value);
      if (Number.isFinite(v)) return this.constant(v);
    }
    return this.intern(`f:${fn}:${arg.id}`, (id) => ({
      kind: 'call',
      id,
      symbols: arg.symbols,
      fn,
      arg,
    }));
  }

  /**
   * Converts validated mathjs trees (see parse.ts) into nodes of this graph. Trees that share
   * subtrees (definitions are substituted by reference) are converted once per shared subtree.
   * Anything outside the allowed syntax is refused naming `where`.
   */
  converter(): (node: MathNode, where: string) => Expr {
    const memo = new Map<MathNode, Expr>();
    const convert = (node: MathNode, where: string): Expr => {
      const known = memo.get(node);
      if (known !== undefined) return known;
      const made = this.convertNode(node, (n) => convert(n, where), where);
      memo.set(node, made);
      return made;
    };
    return convert;
  }

  private convertNode(node: MathNode, convert: (n: MathNode) => Expr, where: string): Expr {
    const refuse = (why: string): never => {
      throw new ScichainError('InvalidArgument', `${where}: ${why} in '${node.toString()}'`);
    };
    switch (node.type) {
      case 'ConstantNode': {
        const v = (node as ConstantNode).value;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          return refuse(`the constant ${String(v)} is not a finite number`);
        }
        return this.constant(v);
      }
      case 'SymbolNode': {
        const name = (node as SymbolNode).name;
        if (constantValue(name) !== undefined) {
          if (!Object.hasOwn(NAMED_CONSTANTS, name)) return refuse(`no value for '${name}'`);
          return this.constant(NAMED_CONSTANTS[name]);
        }
        return this.symbol(name);
      }
      case 'ParenthesisNode':
        return convert((node as ParenthesisNode).content);
      case 'OperatorNode': {
        const op = node as OperatorNode<never, never>;
        const fn = op.fn as string;
        const args = op.args.map(convert);
        if (args.length === 1 && fn === 'unaryMinus') return this.negate(args[0]);
        if (args.length === 1 && fn === 'unaryPlus') return args[0];
        if (args.length >= 2 && Object.hasOwn(BINARY_VALUE, fn)) {
          if (args.length > 2 && fn !== 'add' && fn !== 'multiply') break;
          return args.slice(1).reduce((a, b) => this.binary(fn as BinaryKind, a, b), args[0]);
        }
        break;
      }
      case 'FunctionNode': {
        const f = node as FunctionNode;
        const name = (f.fn as unknown as SymbolNode).name;
        if (typeof name !== 'string' || !Object.hasOwn(ALLOWED_FUNCTIONS, name)) break;
        if (f.args.length !== ALLOWED_FUNCTIONS[name].arity) {
          return refuse(`${name} takes ${ALLOWED_FUNCTIONS[name].arity} argument(s)`);
        }
        const args = f.args.map(convert);
        if (name === 'pow') return this.binary('pow', args[0], args[1]);
        if (args.length !== 1) break;
        return this.call(name, args[0]);
      }
    }
    return refuse(`cannot compile ${node.type}`);
  }
}
