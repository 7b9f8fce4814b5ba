/**
 * Straight-line JavaScript for a set of expressions of one {@link ExpressionGraph}, each repeated
 * subexpression computed once into a `const` temporary. A generated function (value, VJP,
 * Jacobian, …) declares everything it will evaluate first (so that use counts are known), then
 * asks for the code of each expression in the order its statements need them; the temporaries an
 * expression needs are appended just before the statement that first uses it. Every piece of
 * arithmetic is emitted through {@link emitJs} from a mathjs tree of numbers, symbols, the
 * allowed functions and operators, as for every other generated expression.
 */
import { ConstantNode, FunctionNode, OperatorNode, SymbolNode, type MathNode } from 'mathjs';
import { emitJs } from './emit-js.ts';
import type { Expr } from './expression-graph.ts';

const OPERATOR: Readonly<Record<string, string>> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  divide: '/',
  pow: '^',
};

/** Code of a block of statements sharing their common subexpressions. */
export class StraightLineCode {
  /** The statements so far, in order. */
  readonly lines: string[] = [];
  private readonly uses = new Map<number, number>();
  private readonly temporaries = new Map<number, string>();
  private readonly temporaryNames = new Set<string>();
  private readonly symbolJs: (name: string) => string;

  /**
   * `symbol(name)` gives the JavaScript variable of a symbol; `expressions` are every
   * expression the block will ask code for (each counted once per appearance).
   */
  constructor(symbol: (name: string) => string, expressions: Iterable<Expr>) {
    this.symbolJs = (name) => (this.temporaryNames.has(name) ? name : symbol(name));
    for (const e of expressions) this.count(e);
  }

  private count(e: Expr): void {
    if (e.kind === 'constant' || e.kind === 'symbol') return;
    const n = this.uses.get(e.id) ?? 0;
    this.uses.set(e.id, n + 1);
    if (n > 0) return; // its operands were counted at its first appearance
    switch (e.kind) {
      case 'negate':
      case 'call':
        this.count(e.arg);
        break;
      default:
        this.count(e.left);
        this.count(e.right);
    }
  }

  /** Appends a statement. */
  statement(line: string): void {
    this.lines.push(line);
  }

  /** JavaScript for `e`, appending the temporaries it needs that are not computed yet. */
  code(e: Expr): string {
    return emitJs(this.tree(e), this.symbolJs);
  }

  /** The mathjs tree of `e`, its shared operands replaced by their temporaries. */
  private tree(e: Expr): MathNode {
    switch (e.kind) {
      case 'constant':
        return new ConstantNode(e.value);
      case 'symbol':
        return new SymbolNode(e.name);
    }
    const temporary = this.temporaries.get(e.id);
    if (temporary !== undefined) return new SymbolNode(temporary);
    const node = this.operation(e);
    if ((this.uses.get(e.id) ?? 0) < 2) return node;
    const name = `__c${this.temporaries.size}`;
    this.lines.push(`const ${name} = ${emitJs(node, this.symbolJs)};`);
    this.temporaries.set(e.id, name);
    this.temporaryNames.add(name);
    return new SymbolNode(name);
  }

  private operation(e: Expr): MathNode {
    switch (e.kind) {
      case 'negate':
        return new OperatorNode('-', 'unaryMinus', [this.tree(e.arg)]);
      case 'call':
        return new FunctionNode(new SymbolNode(e.fn), [this.tree(e.arg)]);
      case 'constant':
      case 'symbol':
        return this.tree(e);
      default: {
        const left = this.tree(e.left);
        const right = this.tree(e.right);
        return new OperatorNode(OPERATOR[e.kind] as '+', e.kind as 'add', [left, right]);
      }
    }
  }
}

/** How many distinct operations (non-leaf nodes) computing all of `expressions` takes. */
export function distinctOperations(expressions: Iterable<Expr>, seen = new Set<number>()): number {
  const before = seen.size;
  const stack = [...expressions];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.kind === 'constant' || e.kind === 'symbol' || seen.has(e.id)) continue;
    seen.add(e.id);
    if (e.kind === 'negate' || e.kind === 'call') stack.push(e.arg);
    else stack.push(e.left, e.right);
  }
  return seen.size - before;
}
