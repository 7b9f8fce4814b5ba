// Fuzzing the expression compiler (issue 17): random and mutated strings, and random syntax
// trees, fed to the ODE model builder and to the individual-parameter compiler. The property:
// either a ScichainError naming the equation or parameter, or a compiled function whose value at
// a random point is what the expression's text describes (checked against an independent tree
// interpreter), non-finite exactly when that is — never another exception, never code run from
// the text (a global canary stays unset), never a hang (each case is timed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PopulationModel, ScichainError, expressionModel } from '../../src/index.ts';
import type { ExpressionModel } from '../../models/index.ts';

const CANARY = '__scichainFuzzCanary';
const canary = (): unknown => (globalThis as Record<string, unknown>)[CANARY];
/** Longest time one case may take (compilation included) on a loaded machine. */
const CASE_MS = 3000;

/** How many cases compiled (so a fuzzer that only meets errors is noticed). */
let compiled = 0;

/** Runs `f`; a ScichainError whose message matches `place` is an accepted outcome (null). */
function attempt<T>(f: () => T, place: RegExp, input: string): T | null {
  const start = performance.now();
  try {
    const result = f();
    compiled++;
    return result;
  } catch (e) {
    if (!(e instanceof ScichainError)) {
      throw new Error(`${String(e)} (not a ScichainError) for ${JSON.stringify(input)}`, {
        cause: e,
      });
    }
    expect(e.message, input).toMatch(place);
    return null;
  } finally {
    expect(performance.now() - start, `time for ${JSON.stringify(input)}`).toBeLessThan(CASE_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// (a) Strings: arbitrary text, and valid expressions mutated with characters JavaScript cares
// about.

const HOSTILE_CHARS = [...'\'"`;{}()[]/*\\\n\r\u2028.$_,=<>?:!&|^%#@~+-0123456789 eEa'];
const HOSTILE_SNIPPETS = [
  '"',
  "'",
  '`',
  '${',
  '*/',
  '/*',
  '//',
  '\n',
  '})',
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'eval(',
  'import(',
  'evaluate(',
  'createUnit(',
  'parse(',
  'eta.',
  '.constructor',
  `globalThis.${CANARY}=1`,
  'Infinity',
  'NaN',
  'true',
  'null',
  'undefined',
  '1e400',
  '=',
  '?',
  ':',
  '[1]',
];

/** A valid expression with up to three insertions, deletions or replacements. */
function mutated(valid: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.record({
    kind: fc.constantFrom('insert', 'delete', 'replace'),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...HOSTILE_CHARS), fc.constantFrom(...HOSTILE_SNIPPETS)),
  });
  return fc
    .tuple(fc.constantFrom(...valid), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([source, edits]) =>
      edits.reduce((s, { kind, at, text }) => {
        const i = s.length === 0 ? 0 : at % (s.length + 1);
        if (kind === 'insert') return s.slice(0, i) + text + s.slice(i);
        if (kind === 'delete') return s.slice(0, i) + s.slice(i + 1);
        return s.slice(0, i) + text + s.slice(i + text.length);
      }, source),
    );
}

const VALID_EQUATIONS = [
  '-k*x + sin(y)/2',
  'a*x*(1 - x/b) - x*y',
  'exp(-(x - t)^2) * cos(a*y)',
  'log(1 + x^2) - sqrt(2 + sin(y))',
  'pow(x, 2) + sech(y) - 3e-2*t',
];
const VALID_INDIVIDUAL = [
  'exp(tka + eta.ka)',
  'exp(tcl + eta.cl) * (WT/70)^0.75',
  'exp(tv + eta.v) * (1 + 0.01*(AGE - 40))',
  'tka * exp(eta.ka) / (1 + SEX)',
];

const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...HOSTILE_CHARS), maxLength: 30 }),
);

function odeCase(x: string): void {
  const model = attempt(
    () =>
      expressionModel({
        states: ['x', 'y'],
        parameters: { k: 0.5, a: 1.2, b: 2 },
        equations: { x, y: 'x - y' },
      }),
    /^equation for 'x'/,
    x,
  );
  if (model === null) return;
  const du = new Float64Array(2);
  model.f(du, Float64Array.of(0.3, -0.7), model.initialParameters(), 0.25);
  expect(du[1]).toBe(0.3 + 0.7);
}

function definitionCase(c: string): void {
  const model = attempt(
    () =>
      expressionModel({
        states: ['x', 'y'],
        parameters: { k: 0.5, a: 1.2, b: 2 },
        definitions: { c },
        equations: { x: 'c * x', y: 'x - y' },
      }),
    /^definition 'c'/,
    c,
  );
  if (model === null) return;
  const out = model.observation({ c: 'c' });
  const value = new Float64Array(1);
  out.value(value, Float64Array.of(0.3, -0.7), model.initialParameters(), 0.25);
  const du = new Float64Array(2);
  model.f(du, Float64Array.of(0.3, -0.7), model.initialParameters(), 0.25);
  expect(Object.is(du[0], value[0] * 0.3) || (Number.isNaN(du[0]) && Number.isNaN(value[0]))).toBe(
    true,
  );
}

const POPULATION = {
  theta: { tka: 0.4, tcl: 1, tv: 3.4 },
  omega: { diagonal: { ka: 0.1, cl: 0.1, v: 0.1 } },
  residual: { type: 'additive', additive: 0.5 },
} as const;

function individualCase(ka: string): void {
  const model = attempt(
    () =>
      new PopulationModel({
        ...POPULATION,
        individual: { ka, cl: 'exp(tcl + eta.cl)', v: 'exp(tv + eta.v)' },
      }),
    /^individual parameter 'ka'/,
    ka,
  );
  if (model === null) return;
  const covariates = Object.fromEntries(model.covariateNames.map((c) => [c, 1.5]));
  const phi = new Float64Array(3);
  model.individual(POPULATION.theta, { ka: 0.1, cl: -0.2, v: 0.05 }, covariates, phi);
  expect(phi[1]).toBe(Math.exp(0.8));
}

describe('expression fuzzing: strings', () => {
  it('random and mutated equations: a ScichainError naming the equation, or a model', () => {
    delete (globalThis as Record<string, unknown>)[CANARY];
    compiled = 0;
    fc.assert(fc.property(fc.oneof(anyText, mutated(VALID_EQUATIONS)), odeCase), {
      numRuns: 400,
      seed: 17,
    });
    expect(canary()).toBeUndefined();
    expect(compiled).toBeGreaterThan(20);
  });

  it('random and mutated definitions: a ScichainError naming the definition, or a model', () => {
    delete (globalThis as Record<string, unknown>)[CANARY];
    compiled = 0;
    fc.assert(
      fc.property(
        fc.oneof(anyText, mutated(VALID_EQUATIONS), fc.constantFrom(...VALID_EQUATIONS)),
        definitionCase,
      ),
      {
        numRuns: 200,
        seed: 23,
      },
    );
    expect(canary()).toBeUndefined();
    expect(compiled).toBeGreaterThan(10);
  });

  it('random and mutated individual expressions: a ScichainError naming the parameter, or φ', () => {
    delete (globalThis as Record<string, unknown>)[CANARY];
    compiled = 0;
    fc.assert(fc.property(fc.oneof(anyText, mutated(VALID_INDIVIDUAL)), individualCase), {
      numRuns: 600,
      seed: 17,
    });
    expect(canary()).toBeUndefined();
    expect(compiled).toBeGreaterThan(30);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) Syntax trees from known symbols, allowed functions and operators, compiled and compared
// with a tree interpreter.

type Tree =
  | { readonly kind: 'symbol'; readonly name: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'negate'; readonly arg: Tree }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/' | '^';
      readonly l: Tree;
      readonly r: Tree;
    }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Tree[] };

const UNARY: Readonly<Record<string, (x: number) => number>> = {
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

const constant = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 0.5, -1, -2, 1e-7, 2.5e3),
  fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }),
);

function treeOver(symbols: readonly string[]): fc.Arbitrary<Tree> {
  return fc.letrec<{ t: Tree }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', maxDepth: 5 },
      fc.constantFrom(...symbols).map((name): Tree => ({ kind: 'symbol', name })),
      constant.map((value): Tree => ({ kind: 'number', value })),
      tie('t').map((arg): Tree => ({ kind: 'negate', arg })),
      fc
        .tuple(fc.constantFrom('+', '-', '*', '/', '^' as const), tie('t'), tie('t'))
        .map(([op, l, r]): Tree => ({ kind: 'binary', op, l, r })),
      fc
        .tuple(fc.constantFrom('+', '-', '*', '/', '^' as const), tie('t'), constant)
        .map(([op, l, value]): Tree => ({ kind: 'binary', op, l, r: { kind: 'number', value } })),
      fc
        .tuple(fc.constantFrom(...Object.keys(UNARY)), tie('t'))
        .map(([fn, arg]): Tree => ({ kind: 'call', fn, args: [arg] })),
      fc
        .tuple(tie('t'), tie('t'))
        .map(([a, b]): Tree => ({ kind: 'call', fn: 'pow', args: [a, b] })),
    ),
  })).t;
}

/** mathjs text of a tree, every operation in parentheses so the structure is unambiguous. */
function render(t: Tree, symbol: (name: string) => string): string {
  switch (t.kind) {
    case 'symbol':
      return symbol(t.name);
    case 'number':
      return t.value < 0 || Object.is(t.value, -0) ? `(-${-t.value})` : String(t.value);
    case 'negate':
      return `(-${render(t.arg, symbol)})`;
    case 'binary':
      return `(${render(t.l, symbol)} ${t.op} ${render(t.r, symbol)})`;
    case 'call':
      return `${t.fn}(${t.args.map((a) => render(a, symbol)).join(', ')})`;
  }
}

/**
 * The value the text describes, with JavaScript's Math (the compiler's documented semantics:
 * `^` is Math.pow, whose small integer powers it writes as products).
 */
function interpret(t: Tree, scope: ReadonlyMap<string, number>): number {
  switch (t.kind) {
    case 'symbol':
      return scope.get(t.name)!;
    case 'number':
      return t.value;
    case 'negate':
      return -interpret(t.arg, scope);
    case 'binary': {
      const l = interpret(t.l, scope);
      const r = interpret(t.r, scope);
      switch (t.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return l / r;
        case '^':
          return power(l, r);
      }
      break;
    }
    case 'call': {
      const args = t.args.map((a) => interpret(a, scope));
      return t.fn === 'pow' ? Math.pow(args[0], args[1]) : UNARY[t.fn](args[0]);
    }
  }
  throw new Error('unreachable');
}

function power(x: number, k: number): number {
  if (k === 2) return x * x;
  if (k === 3) return x * x * x;
  if (k === -1) return 1 / x;
  if (k === -2) return 1 / (x * x);
  if (k === 0.5) return Math.sqrt(x);
  return Math.pow(x, k);
}

/**
 * Whether `value` is what the tree describes at `scope`: equal to a relative tolerance of 1e-9,
 * finite (and NaN) exactly when the reference is. At an ill-conditioned point — where a relative
 * perturbation of 1e-12 of the inputs moves the reference by about the gap, or changes whether
 * it is finite — one rounding decides, and the point proves nothing either way.
 */
function agrees(t: Tree, scope: ReadonlyMap<string, number>, value: number): boolean {
  const reference = interpret(t, scope);
  const close = (r: number): boolean =>
    Number.isFinite(r)
      ? Number.isFinite(value) && Math.abs(value - r) <= 1e-9 * Math.max(1, Math.abs(r))
      : Number.isNaN(r)
        ? Number.isNaN(value)
        : value === r;
  if (close(reference)) return true;
  for (const sign of [1, -1]) {
    const nudged = new Map([...scope].map(([k, v]) => [k, v * (1 + sign * 1e-12)]));
    const r = interpret(t, nudged);
    const wobble = Math.abs(r - reference);
    if (
      Number.isFinite(r) !== Number.isFinite(reference) ||
      Number.isNaN(r) !== Number.isNaN(reference)
    ) {
      return true;
    }
    if (
      Number.isFinite(r) &&
      Math.abs(value - reference) <= 1e6 * wobble + 1e-9 * Math.abs(reference)
    ) {
      return true;
    }
  }
  return false;
}

const point = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });

describe('expression fuzzing: syntax trees', () => {
  it('ODE right-hand sides compute what their text says', () => {
    const names = ['x', 'y', 'a', 'b', 't'];
    fc.assert(
      fc.property(treeOver(names), fc.tuple(point, point, point, point, point), (tree, values) => {
        const text = render(tree, (n) => n);
        const model: ExpressionModel | null = attempt(
          () =>
            expressionModel({
              states: ['x', 'y'],
              parameters: { a: 0.5, b: 2 },
              equations: { x: text, y: '-y' },
            }),
          /^equation for 'x'/,
          text,
        );
        if (model === null) return;
        const scope = new Map(names.map((n, k) => [n, values[k]]));
        const p = model.initialParameters();
        p[model.offset('a')] = scope.get('a')!;
        p[model.offset('b')] = scope.get('b')!;
        const du = new Float64Array(2);
        model.f(du, Float64Array.of(scope.get('x')!, scope.get('y')!), p, scope.get('t')!);
        expect(agrees(tree, scope, du[0]), `${text} at ${JSON.stringify(values)}: ${du[0]}`).toBe(
          true,
        );
      }),
      { numRuns: 250, seed: 1717 },
    );
  });

  it('individual expressions compute what their text says', () => {
    // θ, η (written eta.<name>) and covariates, including names Object.prototype has.
    const names = ['tka', 'constructor', 'eta.ka', 'eta.toString', 'WT', 'valueOf'];
    fc.assert(
      fc.property(
        treeOver(names),
        fc.tuple(point, point, point, point, point, point),
        (tree, v) => {
          const text = render(tree, (n) => n);
          const model = attempt(
            () =>
              new PopulationModel({
                theta: { tka: 0.4, constructor: 1 },
                omega: { diagonal: { ka: 0.1, toString: 0.1 } },
                residual: { type: 'additive', additive: 0.5 },
                individual: { ka: text },
              }),
            /^individual parameter 'ka'/,
            text,
          );
          if (model === null) return;
          const covariates: Record<string, number> = { WT: v[4], valueOf: v[5] };
          const phi = new Float64Array(1);
          model.individual(
            { tka: v[0], constructor: v[1] },
            { ka: v[2], toString: v[3] },
            covariates,
            phi,
          );
          const scope = new Map(names.map((n, k) => [n, v[k]]));
          expect(agrees(tree, scope, phi[0]), `${text} at ${JSON.stringify(v)}: ${phi[0]}`).toBe(
            true,
          );
        },
      ),
      { numRuns: 300, seed: 1717 },
    );
  });
});
