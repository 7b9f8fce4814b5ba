/**
 * mathjs expression trees to JavaScript source. Every operation is parenthesised (mathjs and
 * JavaScript precedences differ: `-x^2` is −(x²) in mathjs), and small integer powers become
 * multiplications, which V8 runs far faster than Math.pow.
 */
import type {
  ConstantNode,
  FunctionNode,
  MathNode,
  OperatorNode,
  ParenthesisNode,
  SymbolNode,
} from 'mathjs';
import { ScichainError } from '../errors.ts';
import { ALLOWED_FUNCTIONS } from './functions.ts';
import { constantValue } from './parse.ts';

/** Emits JavaScript for `node`; `symbol(name)` gives the JavaScript variable of a symbol. */
export function emitJs(node: MathNode, symbol: (name: string) => string): string {
  const go = (n: MathNode): string => {
    switch (n.type) {
      case 'ConstantNode': {
        const v = (n as ConstantNode).value as number;
        return v < 0 ? `(${v})` : String(v);
      }
      case 'SymbolNode': {
        const name = (n as SymbolNode).name;
        return constantValue(name) ?? symbol(name);
      }
      case 'ParenthesisNode':
        return go((n as ParenthesisNode).content);
      case 'OperatorNode': {
        const op = n as OperatorNode<never, never>;
        const a = op.args.map(go);
        switch (op.fn as string) {
          case 'unaryMinus':
            return `(-${a[0]})`;
          case 'unaryPlus':
            return a[0];
          case 'add':
            return `(${a[0]} + ${a[1]})`;
          case 'subtract':
            return `(${a[0]} - ${a[1]})`;
          case 'multiply':
            return `(${a[0]} * ${a[1]})`;
          case 'divide':
            return `(${a[0]} / ${a[1]})`;
          case 'pow':
            return power(op.args[1], a[0], a[1]);
        }
        break;
      }
      case 'FunctionNode': {
        const fn = n as FunctionNode;
        const name = (fn.fn as unknown as SymbolNode).name;
        const f = ALLOWED_FUNCTIONS[name];
        if (f !== undefined && f.arity === fn.args.length) return f.emit(fn.args.map(go));
        break;
      }
    }
    throw new ScichainError('InvalidArgument', `cannot compile '${n.toString()}' to JavaScript`);
  };
  return go(node);
}

function power(exponentNode: MathNode, base: string, exponent: string): string {
  if (exponentNode.type === 'ConstantNode') {
    const k = (exponentNode as ConstantNode).value as number;
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
