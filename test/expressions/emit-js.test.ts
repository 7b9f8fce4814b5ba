// The emitter is the last gate before `new Function`: even trees no validator checked (e.g. from
// the differentiator, or built by hand) become code only from finite numbers, mapped symbols,
// allowed functions and + − * / ^.
import {
  AccessorNode,
  AssignmentNode,
  ConstantNode,
  FunctionNode,
  IndexNode,
  OperatorNode,
  SymbolNode,
  parse,
  type MathNode,
} from 'mathjs';
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../src/index.ts';
import { emitJs, numberLiteral } from '../../src/expressions/emit-js.ts';

const vars = new Map([
  ['x', 'u_0'],
  ['y', 'q_1'],
]);
const symbol = (name: string): string => {
  const v = vars.get(name);
  if (v === undefined) throw new Error(`unmapped ${name}`);
  return v;
};

function refusal(node: MathNode, map = symbol): string {
  try {
    emitJs(node, map, "equation for 'x'");
  } catch (e) {
    if (e instanceof ScichainError) return e.message;
    throw e;
  }
  throw new Error(`emitted ${node.toString()}`);
}

describe('emitJs', () => {
  it('writes finite numbers as plain literals', () => {
    expect(numberLiteral(2)).toBe('2');
    expect(numberLiteral(-2)).toBe('(-2)');
    expect(numberLiteral(2.5e-300)).toBe('2.5e-300');
    expect(numberLiteral(-1e21)).toBe('(-1e+21)');
    expect(numberLiteral(-0)).toBe('(-0)');
    expect(eval(`1 - ${numberLiteral(-1e-7)}`)).toBe(1 + 1e-7);
    for (const v of [NaN, Infinity, -Infinity, '1', true, null, undefined, 1n, {}]) {
      expect(() => numberLiteral(v)).toThrow(ScichainError);
    }
  });

  it('emits the allowed arithmetic', () => {
    expect(emitJs(parse('-x^2 + exp(y) / 3 - 2e-3 * pi'), symbol)).toBe(
      '(((-__square(u_0)) + (Math.exp(q_1) / 3)) - (0.002 * Math.PI))',
    );
    // n-ary sums and products (as simplification may leave them).
    const sum = new OperatorNode('+', 'add', [
      new SymbolNode('x'),
      new SymbolNode('y'),
      new ConstantNode(1),
    ]);
    expect(emitJs(sum, symbol)).toBe('(u_0 + q_1 + 1)');
  });

  it('refuses hand-built trees that are not arithmetic, naming the expression', () => {
    const string = new ConstantNode('0 }, globalThis.pwned = 1, function() {');
    expect(refusal(string)).toMatch(
      /^equation for 'x': cannot compile .* \(the constant "0 }, globalThis.pwned = 1, function\(\) \{" is not a finite number\)/,
    );
    expect(refusal(new ConstantNode(true))).toMatch(/the constant true is not a finite number/);
    expect(refusal(new ConstantNode(Infinity))).toMatch(
      /the constant Infinity is not a finite number/,
    );
    expect(
      refusal(new OperatorNode('+', 'add', [new SymbolNode('x'), new ConstantNode(NaN)])),
    ).toMatch(/the constant NaN is not a finite number\) in "x \+ NaN"/);
    expect(refusal(new SymbolNode('x; globalThis.pwned = 1'))).toMatch(/not a valid symbol name/);
    expect(refusal(new SymbolNode('a-b'))).toMatch(/not a valid symbol name/);
    // The callback answering with code is refused too.
    expect(refusal(new SymbolNode('x'), () => 'globalThis.pwned = 1')).toMatch(
      /maps to unsafe code/,
    );
    expect(refusal(parse('toString(x)'))).toMatch(/'toString' is not an allowed function/);
    expect(refusal(parse('constructor(x)'))).toMatch(/'constructor' is not an allowed function/);
    expect(refusal(parse('evaluate(x)'))).toMatch(/'evaluate' is not an allowed function/);
    expect(refusal(parse('exp(x, y)'))).toMatch(/exp takes 1 argument\(s\), not 2/);
    expect(refusal(parse('x.exp(y)'))).toMatch(/not a call of a named function/);
    const accessor = new AccessorNode(
      new SymbolNode('x'),
      new IndexNode([new ConstantNode('constructor')]),
    );
    expect(refusal(accessor)).toMatch(/AccessorNode is not allowed/);
    expect(refusal(new AssignmentNode(new SymbolNode('x'), new ConstantNode(1)))).toMatch(
      /AssignmentNode is not allowed/,
    );
    expect(refusal(parse('x > y'))).toMatch(/the operator 'larger' is not allowed/);
    expect(refusal(new OperatorNode('-', 'subtract', [new SymbolNode('x')]))).toMatch(
      /1 operand\(s\) for 'subtract'/,
    );
    expect(
      refusal(new FunctionNode(new SymbolNode('exp'), [new ConstantNode('1); pwned(')])),
    ).toMatch(/is not a finite number/);
  });
});
