// Expressions from model files are data: no text in them becomes code (issue 17, defects 1–3).
// Hostile individual-parameter expressions and model equations are refused with a ScichainError
// naming the parameter or equation, before any code runs; names such as `constructor` or
// `toString` work like any other name; `true`, `null`, `NaN`, `Infinity` are not numbers.
import { describe, expect, it } from 'vitest';
import { PopulationModel, ScichainError, expressionModel } from '../../src/index.ts';
import type { PopulationModelSpec } from '../../src/index.ts';

const CANARY = '__scichainCanary';
const canary = (): unknown => (globalThis as Record<string, unknown>)[CANARY];

/** The ScichainError `f` throws (fails the test for any other outcome). */
function scichainError(f: () => unknown): ScichainError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScichainError) return e;
    throw new Error(`expected a ScichainError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a ScichainError, but nothing was thrown');
}

const spec = (individual: Record<string, string>): PopulationModelSpec => ({
  theta: { tka: 0.4, tcl: 1, tv: 3.4 },
  omega: { diagonal: { ka: 0.1, cl: 0.1, v: 0.1 } },
  residual: { type: 'additive', additive: 0.5 },
  individual,
});
const withKa = (ka: string): PopulationModelSpec =>
  spec({ ka, cl: 'exp(tcl + eta.cl)', v: 'exp(tv + eta.v)' });

/** Expressions that must never compile: each would paste text into code or reach a prototype. */
const HOSTILE: readonly string[] = [
  `'a'`,
  `"x"+1`,
  `"0 }, globalThis.${CANARY} = 1, function() {"`,
  `"(globalThis.${CANARY} = 1)"`,
  `exp(tka) + "\`\${globalThis.${CANARY} = 1}\`"`,
  `"*/ globalThis.${CANARY} = 1 /*"`,
  `"1 // comment"`,
  `"1\\n; globalThis.${CANARY} = 1"`,
  'tka /* comment */ + 1',
  '`tka`',
  'constructor(1)',
  'toString(tka)',
  'valueOf(tka)',
  'hasOwnProperty(tka)',
  '__proto__',
  'eta.constructor',
  'eta.__proto__',
  'eta.toString(1)',
  'eta.exp(1)',
  'eta["constructor"]',
  'eta[1]',
  'tka.constructor',
  `evaluate("globalThis.${CANARY} = 1")`,
  'evaluate("1 + 1")',
  'import({ x: 1 })',
  'createUnit("foo")',
  'parse("1")',
  'simplify("x")',
  'compile("1")',
  'x = 1',
  'f(x) = x',
  '{ a: 1 }',
  '[1, 2]',
  '1:3',
  'tka > 0 ? 1 : 2',
  'tka; 2',
  'f(1)(2)',
  '5!',
  "tka'",
  'tka and 1',
  'tka == 1',
  '1 cm to m',
];

describe('individual expressions are data, never code', () => {
  it('refuses string literals, injections, mathjs built-ins and non-arithmetic nodes, running nothing', () => {
    delete (globalThis as Record<string, unknown>)[CANARY];
    for (const ka of HOSTILE) {
      const e = scichainError(() => new PopulationModel(withKa(ka)));
      expect(e.message, ka).toMatch(/^individual parameter 'ka'/);
    }
    expect(canary()).toBeUndefined();
  });

  it('gives the reason: strings, unknown functions, assignments', () => {
    expect(scichainError(() => new PopulationModel(withKa(`'a'`))).message).toBe(
      `individual parameter 'ka': the string "a" is not a number in "'a'"`,
    );
    expect(scichainError(() => new PopulationModel(withKa('evaluate("1")'))).message).toMatch(
      /individual parameter 'ka': unknown or unsupported function 'evaluate' \(allowed: exp, log/,
    );
    expect(scichainError(() => new PopulationModel(withKa('x = 1'))).message).toMatch(
      /individual parameter 'ka': assignments are not allowed/,
    );
    expect(scichainError(() => new PopulationModel(withKa('eta.constructor'))).message).toMatch(
      /individual parameter 'ka' uses eta.constructor, but the model's random effects are ka, cl, v/,
    );
  });

  it('refuses true, null, undefined, NaN and Infinity as numbers (defect 3)', () => {
    const cases: [string, string][] = [
      ['true', 'the constant true is not a number'],
      ['false', 'the constant false is not a number'],
      ['null', 'the constant null is not a number'],
      ['undefined', 'the constant undefined is not a number'],
      ['NaN', 'the constant NaN is not a finite number'],
      ['Infinity', 'the constant Infinity is not a finite number'],
      ['-Infinity', 'the constant Infinity is not a finite number'],
      ['exp(tka) * 1e400', 'the constant Infinity is not a finite number'],
      ['exp(tka + eta.ka) + true', 'the constant true is not a number'],
    ];
    for (const [ka, why] of cases) {
      expect(scichainError(() => new PopulationModel(withKa(ka))).message, ka).toBe(
        `individual parameter 'ka': ${why} in "${ka}"`,
      );
    }
  });

  it('emits no user text: θ, η and covariates are read through generated names', () => {
    const model = new PopulationModel(
      spec({
        ka: 'exp(tka + eta.ka) * (WT / 70)^0.75',
        cl: 'exp(tcl + eta["cl"]) * -2.5e-3',
        v: 'exp(tv + eta.v) * pi',
      }),
    );
    const phi = new Float64Array(3);
    model.individual(
      { tka: 0.4, tcl: 1, tv: 3.4 },
      { ka: 0.1, cl: -0.2, v: 0.05 },
      { WT: 80 },
      phi,
    );
    expect(phi[0]).toBeCloseTo(Math.exp(0.5) * (80 / 70) ** 0.75, 14);
    expect(phi[1]).toBeCloseTo(Math.exp(0.8) * -2.5e-3, 14);
    expect(phi[2]).toBeCloseTo(Math.exp(3.45) * Math.PI, 12);
    expect(model.covariateNames).toEqual(['WT']);
  });
});

describe('names that are Object.prototype properties (defect 2)', () => {
  it('θ, η and covariates called constructor, toString, valueOf, hasOwnProperty evaluate to their values', () => {
    const model = new PopulationModel({
      theta: { constructor: 0.4, toString: 1 },
      omega: { diagonal: { valueOf: 0.1, hasOwnProperty: 0.1 } },
      residual: { type: 'additive', additive: 0.5 },
      individual: {
        ka: 'exp(constructor + eta.valueOf) * isPrototypeOf',
        cl: 'exp(toString + eta.hasOwnProperty) * propertyIsEnumerable',
      },
    });
    expect(model.covariateNames).toEqual(['isPrototypeOf', 'propertyIsEnumerable']);
    const phi = new Float64Array(2);
    model.individual(
      { constructor: 0.4, toString: 1 },
      { valueOf: 0.1, hasOwnProperty: -0.2 },
      { isPrototypeOf: 2, propertyIsEnumerable: 3 },
      phi,
    );
    expect(phi[0]).toBeCloseTo(Math.exp(0.5) * 2, 14);
    expect(phi[1]).toBeCloseTo(Math.exp(0.8) * 3, 14);
    // θ by name from x round-trips through the same record.
    expect(model.theta(model.initial()).constructor).toBeCloseTo(0.4, 14);
  });

  it('__proto__ as a θ, η or covariate name is refused clearly', () => {
    const proto = JSON.parse('{"__proto__": 0.4, "tcl": 1}') as Record<string, number>;
    expect(
      scichainError(() => new PopulationModel({ ...spec({ ka: 'tcl' }), theta: proto })).message,
    ).toMatch(/θ name '__proto__' is not allowed/);
    const omega = JSON.parse('{"__proto__": 0.1}') as Record<string, number>;
    expect(
      scichainError(
        () => new PopulationModel({ ...spec({ ka: 'tka' }), omega: { diagonal: omega } }),
      ).message,
    ).toMatch(/η name '__proto__' is not allowed/);
    expect(scichainError(() => new PopulationModel(withKa('__proto__ * tka'))).message).toMatch(
      /individual parameter 'ka': '__proto__' cannot be a covariate name/,
    );
  });

  it('a θ called like a mathjs constant is refused where it is used, not silently shadowed', () => {
    const e = scichainError(
      () => new PopulationModel({ ...spec({ ka: 'exp(e + eta.ka)' }), theta: { e: 0.4 } }),
    );
    expect(e.message).toBe(
      `individual parameter 'ka': 'e' is both a fixed effect and the mathjs constant e; rename the θ in "exp(e + eta.ka)"`,
    );
  });

  it('ODE states and parameters called constructor, toString, valueOf, hasOwnProperty work', () => {
    const model = expressionModel({
      states: ['constructor', 'valueOf'],
      parameters: { toString: 2, hasOwnProperty: 3 },
      definitions: { isPrototypeOf: 'toString * constructor' },
      equations: {
        constructor: '-isPrototypeOf',
        valueOf: 'hasOwnProperty * constructor - valueOf^2',
      },
    });
    const du = new Float64Array(2);
    model.f(du, Float64Array.of(1.5, 0.5), model.initialParameters(), 0);
    expect(Array.from(du)).toEqual([-3, 3 * 1.5 - 0.25]);
    const J = new Float64Array(4);
    model.jacobian(J, Float64Array.of(1.5, 0.5), model.initialParameters(), 0);
    expect(Array.from(J)).toEqual([-2, 0, 3, -1]);
  });

  it('prototype names are not functions or constants in equations', () => {
    const bad = (x: string): string =>
      scichainError(() =>
        expressionModel({ states: ['x'], parameters: { k: 1 }, equations: { x } }),
      ).message;
    expect(bad('toString(x)')).toMatch(
      /equation for 'x': unknown or unsupported function 'toString'/,
    );
    expect(bad('constructor(x)')).toMatch(
      /equation for 'x': unknown or unsupported function 'constructor'/,
    );
    expect(bad('k * constructor')).toMatch(/equation for 'x': unknown symbol 'constructor'/);
    expect(bad('k * __proto__')).toMatch(/equation for 'x': unknown symbol '__proto__'/);
    expect(bad('x.constructor')).toMatch(/equation for 'x': indexing 'x.constructor'/);
  });
});

describe('ODE equations are data, never code', () => {
  it('refuses every hostile expression, naming the equation, and runs nothing', () => {
    delete (globalThis as Record<string, unknown>)[CANARY];
    for (const x of HOSTILE) {
      const e = scichainError(() =>
        expressionModel({ states: ['x'], parameters: { tka: 1 }, equations: { x } }),
      );
      expect(e.message, x).toMatch(/^equation for 'x'/);
    }
    expect(canary()).toBeUndefined();
  });

  it('refuses non-finite and non-numeric constants', () => {
    for (const x of ['NaN * x', 'Infinity', '-Infinity * x', 'x + 1e400', 'true * x', 'null']) {
      expect(
        scichainError(() => expressionModel({ states: ['x'], equations: { x } })).message,
        x,
      ).toMatch(
        /^equation for 'x': the constant (NaN|Infinity|true|null) is not a (finite )?number/,
      );
    }
  });

  it('refuses a time name that is not an identifier', () => {
    expect(
      scichainError(() =>
        expressionModel({ states: ['x'], time: 't; globalThis.x = 1', equations: { x: 'x' } }),
      ).message,
    ).toMatch(/time name 't; globalThis.x = 1' must start with a letter/);
  });

  it('deep expressions are clear errors, not stack overflows; a sum of 500 terms compiles', () => {
    const sum = (n: number, of = 'x'): string =>
      Array.from({ length: n }, (_, i) => `${(i % 7) + 1}*${of}`).join(' + ');
    const model = expressionModel({ states: ['x'], equations: { x: sum(500) } });
    const du = new Float64Array(1);
    model.f(du, Float64Array.of(1), model.initialParameters(), 0);
    expect(du[0]).toBe(1994);
    const deep = (x: string, definitions?: Record<string, string>): string =>
      scichainError(() => expressionModel({ states: ['x'], definitions, equations: { x } }))
        .message;
    expect(deep(sum(520))).toMatch(/^equation for 'x': the expression is nested more than 512/);
    expect(deep(sum(20000))).toMatch(
      /^equation for 'x': the expression is nested more than 512 .* in "1\*x \+ .*…" \(119997 characters\)$/,
    );
    expect(deep('-'.repeat(3000) + 'x')).toMatch(/^equation for 'x': the expression is nested/);
    expect(deep('('.repeat(5000) + 'x' + ')'.repeat(5000))).toMatch(
      /^equation for 'x' does not parse: it is nested too deeply/,
    );
    // Definitions count with their own depth once substituted.
    const chained = { c1: sum(300), c2: `c1 + ${sum(300)}` };
    expect(deep('c2 * x', chained)).toMatch(
      /^definition 'c2': the expression is nested more than 512/,
    );
    expect(
      scichainError(
        () => new PopulationModel(withKa('exp('.repeat(3000) + 'tka' + ')'.repeat(3000))),
      ).message,
    ).toMatch(/^individual parameter 'ka': cannot parse .*: it is nested too deeply/);
    expect(scichainError(() => new PopulationModel(withKa(sum(600, 'tka')))).message).toMatch(
      /^individual parameter 'ka': the expression is nested more than 512/,
    );
  });

  it('malformed model specs are ScichainErrors naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ states: ['x'] }, /^equations must be an object/],
      [{ states: ['x'], equations: null }, /^equations must be an object/],
      [{ states: ['x'], equations: { x: 5 } }, /^equation for 'x' must be a string, got number/],
      [
        { states: ['x'], parameters: { k: 'a' }, equations: { x: 'x' } },
        /^parameter 'k' must be a number/,
      ],
      [
        { states: ['x'], parameters: { k: null }, equations: { x: 'x' } },
        /^parameter 'k' must be a number/,
      ],
      [{ states: ['x'], terms: { nn: 5 }, equations: { x: 'x' } }, /^term 'nn' must be a layer/],
      [
        { states: ['x'], definitions: 'c', equations: { x: 'x' } },
        /^definitions must be an object/,
      ],
      [
        { states: ['x'], definitions: { c: 5 }, equations: { x: 'x' } },
        /^definition 'c' must be a string/,
      ],
    ];
    const model = expressionModel({ states: ['x'], equations: { x: '-x' } });
    expect(scichainError(() => model.observation(null as never)).message).toMatch(
      /an observation needs \{ name: expression \}/,
    );
    expect(scichainError(() => model.observation({ c: `"x"` })).message).toBe(
      'observation \'c\': the string "x" is not a number in "\\"x\\""',
    );
    for (const [spec, message] of cases) {
      expect(
        scichainError(() => expressionModel(spec as never)).message,
        JSON.stringify(spec),
      ).toMatch(message);
    }
  });
});
