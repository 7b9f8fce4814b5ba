/**
 * Symbolic differentiation on an {@link ExpressionGraph}: sum, product, quotient and power rules
 * and the chain rule for every allowed function, with local simplification only (constant
 * folding, 0·x, 1·x, x + 0, −−x, x^1). No global simplification: its cost grows explosively with
 * expression size (mathjs's `simplify` took 17–98 s for a ten-term right-hand side), while the
 * generated code's common subexpressions are shared anyway (see common-subexpressions.ts).
 *
 * Derivatives are memoised per node and variable, so the derivative of a graph with shared
 * subexpressions (definitions used several times) costs time linear in the graph, and the
 * derivative reuses the nodes of the forward expression (d exp(u) = exp(u)·du).
 */
import { ScichainError } from '../core/errors.ts';
import {
  isConstant,
  type BinaryExpr,
  type BinaryKind,
  type Expr,
  type ExpressionGraph,
} from './expression-graph.ts';

/**
 * Builds expressions with local simplifications (for derivatives only: 0·x → 0 would hide a
 * NaN or ∞ of x in a model's value, but a derivative term multiplied by an exact zero is zero).
 */
export class SimplifyingBuilder {
  readonly graph: ExpressionGraph;

  constructor(graph: ExpressionGraph) {
    this.graph = graph;
  }

  constant(value: number): Expr {
    return this.graph.constant(value);
  }

  negate(a: Expr): Expr {
    if (a.kind === 'negate') return a.arg;
    return this.graph.negate(a);
  }

  add(a: Expr, b: Expr): Expr {
    if (isConstant(a, 0)) return b;
    if (isConstant(b, 0)) return a;
    if (b.kind === 'negate') return this.subtract(a, b.arg);
    if (a.kind === 'negate') return this.subtract(b, a.arg);
    return this.graph.binary('add', a, b);
  }

  subtract(a: Expr, b: Expr): Expr {
    if (isConstant(b, 0)) return a;
    if (isConstant(a, 0)) return this.negate(b);
    if (a === b) return this.constant(0);
    if (b.kind === 'negate') return this.add(a, b.arg);
    return this.graph.binary('subtract', a, b);
  }

  multiply(a: Expr, b: Expr): Expr {
    if (isConstant(a, 0) || isConstant(b, 0)) return this.constant(0);
    if (isConstant(a, 1)) return b;
    if (isConstant(b, 1)) return a;
    if (isConstant(a, -1)) return this.negate(b);
    if (isConstant(b, -1)) return this.negate(a);
    if (a.kind === 'negate') return this.negate(this.multiply(a.arg, b));
    if (b.kind === 'negate') return this.negate(this.multiply(a, b.arg));
    // Constants first, and constant factors merged: 2·(3·x) → 6·x.
    if (b.kind === 'constant' && a.kind !== 'constant') return this.multiply(b, a);
    if (a.kind === 'constant' && b.kind === 'multiply' && b.left.kind === 'constant') {
      const product = a.value * b.left.value;
      if (Number.isFinite(product)) return this.multiply(this.constant(product), b.right);
    }
    // a·(1/b) → a/b.
    if (b.kind === 'divide' && isConstant(b.left, 1)) return this.divide(a, b.right);
    if (a.kind === 'divide' && isConstant(a.left, 1)) return this.divide(b, a.right);
    return this.graph.binary('multiply', a, b);
  }

  divide(a: Expr, b: Expr): Expr {
    if (isConstant(a, 0)) return this.constant(0);
    if (isConstant(b, 1)) return a;
    if (isConstant(b, -1)) return this.negate(a);
    if (a.kind === 'negate') return this.negate(this.divide(a.arg, b));
    if (b.kind === 'negate') return this.negate(this.divide(a, b.arg));
    return this.graph.binary('divide', a, b);
  }

  pow(a: Expr, b: Expr): Expr {
    if (isConstant(b, 1)) return a;
    if (isConstant(b, 0)) return this.constant(1);
    return this.graph.binary('pow', a, b);
  }

  square(a: Expr): Expr {
    return this.pow(a, this.constant(2));
  }

  call(fn: string, a: Expr): Expr {
    return this.graph.call(fn, a);
  }

  binary(kind: BinaryKind, a: Expr, b: Expr): Expr {
    return this[kind](a, b);
  }
}

/** d f(x)/dx for an allowed unary function, given x and the node f(x). */
type DerivativeRule = (s: SimplifyingBuilder, x: Expr, fx: Expr) => Expr;

const one = (s: SimplifyingBuilder): Expr => s.constant(1);
/** 1 − x². */
const oneMinusSquare = (s: SimplifyingBuilder, x: Expr): Expr => s.subtract(one(s), s.square(x));

/**
 * The derivative of every unary function in ALLOWED_FUNCTIONS, in terms of the forward node
 * where that is cheaper (exp, tan, tanh, sec, … reuse f(x) itself).
 */
export const DERIVATIVE_RULES: Readonly<Record<string, DerivativeRule>> = {
  exp: (_s, _x, fx) => fx,
  log: (s, x) => s.divide(one(s), x),
  sqrt: (s, _x, fx) => s.divide(s.constant(0.5), fx),
  cbrt: (s, _x, fx) => s.divide(one(s), s.multiply(s.constant(3), s.square(fx))),
  sin: (s, x) => s.call('cos', x),
  cos: (s, x) => s.negate(s.call('sin', x)),
  tan: (s, _x, fx) => s.add(one(s), s.square(fx)),
  asin: (s, x) => s.divide(one(s), s.call('sqrt', oneMinusSquare(s, x))),
  acos: (s, x) => s.negate(s.divide(one(s), s.call('sqrt', oneMinusSquare(s, x)))),
  atan: (s, x) => s.divide(one(s), s.add(one(s), s.square(x))),
  sinh: (s, x) => s.call('cosh', x),
  cosh: (s, x) => s.call('sinh', x),
  tanh: (s, _x, fx) => oneMinusSquare(s, fx),
  asinh: (s, x) => s.divide(one(s), s.call('sqrt', s.add(s.square(x), one(s)))),
  acosh: (s, x) => s.divide(one(s), s.call('sqrt', s.subtract(s.square(x), one(s)))),
  atanh: (s, x) => s.divide(one(s), oneMinusSquare(s, x)),
  sec: (s, x, fx) => s.multiply(fx, s.call('tan', x)),
  csc: (s, x, fx) => s.negate(s.multiply(fx, s.call('cot', x))),
  cot: (s, _x, fx) => s.negate(s.add(one(s), s.square(fx))),
  sech: (s, x, fx) => s.negate(s.multiply(fx, s.call('tanh', x))),
  csch: (s, x, fx) => s.negate(s.multiply(fx, s.call('coth', x))),
  coth: (s, _x, fx) => oneMinusSquare(s, fx),
};

/** Differentiates nodes of one graph, memoising every derivative it makes. */
export class Differentiator {
  private readonly s: SimplifyingBuilder;
  private readonly memo = new Map<string, Map<number, Expr>>();

  constructor(graph: ExpressionGraph) {
    this.s = new SimplifyingBuilder(graph);
  }

  /**
   * ∂e/∂variable, simplified locally; the constant 0 when e does not depend on the variable.
   * `where` names the expression in errors.
   */
  derivative(e: Expr, variable: string, where: string): Expr {
    let memo = this.memo.get(variable);
    if (memo === undefined) {
      memo = new Map();
      this.memo.set(variable, memo);
    }
    const go = (n: Expr): Expr => {
      if (!n.symbols.has(variable)) return this.s.constant(0);
      const known = memo.get(n.id);
      if (known !== undefined) return known;
      const d = this.rule(n, go, where);
      memo.set(n.id, d);
      return d;
    };
    return go(e);
  }

  private rule(n: Expr, d: (e: Expr) => Expr, where: string): Expr {
    const s = this.s;
    switch (n.kind) {
      case 'constant':
        return s.constant(0);
      case 'symbol':
        return s.constant(1);
      case 'negate':
        return s.negate(d(n.arg));
      case 'add':
        return s.add(d(n.left), d(n.right));
      case 'subtract':
        return s.subtract(d(n.left), d(n.right));
      case 'multiply':
        return s.add(s.multiply(d(n.left), n.right), s.multiply(n.left, d(n.right)));
      case 'divide': {
        // (a/b)' = (a' − (a/b)·b')/b: reuses the quotient, one division, no b².
        const quotient = s.subtract(d(n.left), s.multiply(n, d(n.right)));
        return s.divide(quotient, n.right);
      }
      case 'pow':
        return this.power(n, d);
      case 'call': {
        if (!Object.hasOwn(DERIVATIVE_RULES, n.fn)) {
          throw new ScichainError(
            'InvalidArgument',
            `${where}: no derivative rule for the function '${n.fn}'`,
          );
        }
        return s.multiply(d(n.arg), DERIVATIVE_RULES[n.fn](s, n.arg, n));
      }
    }
  }

  /** (a^b)': b·a^(b−1)·a' for b free of the variable, a^b·log(a)·b' for a free of it. */
  private power(n: BinaryExpr, d: (e: Expr) => Expr): Expr {
    const s = this.s;
    const a = n.left;
    const b = n.right;
    const da = d(a);
    const db = d(b);
    const baseVaries = !isConstant(da, 0);
    const exponentVaries = !isConstant(db, 0);
    if (!exponentVaries) {
      const lowered =
        b.kind === 'constant' ? s.constant(b.value - 1) : s.subtract(b, s.constant(1));
      return s.multiply(s.multiply(b, s.pow(a, lowered)), da);
    }
    const logA = s.call('log', a);
    if (!baseVaries) return s.multiply(s.multiply(n, logA), db);
    // a^b·(b'·log a + b·a'/a)
    return s.multiply(n, s.add(s.multiply(db, logA), s.divide(s.multiply(b, da), a)));
  }
}
