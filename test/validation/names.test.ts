// Names given as strings are exact (letter case included): an unknown one is an error that names
// it, suggests the valid name it is closest to and lists the valid ones (issue 18). Only the
// TypeScript types protected these; JavaScript callers, JSON and command lines bypass them —
// `method: 'foce'` or `'Bogus'` ran FOCEI.
import { describe, expect, it } from 'vitest';
import {
  requireFinite,
  requireInteger,
  requireName,
  ScichainError,
} from '../../src/core/errors.ts';
import { fitPopulation } from '../../src/pharmacometrics/estimation/fit-population.ts';
import { fitNeuralPopulation } from '../../src/pharmacometrics/estimation/fit-neural-population.ts';
import { odeSubjects } from '../../src/pharmacometrics/estimation/ode-subjects.ts';
import { minimize } from '../../src/optim/minimize.ts';
import { minimizePhases } from '../../src/optim/minimize-phases.ts';
import { adam } from '../../src/optim/adam.ts';
import { dense } from '../../src/nn/dense.ts';
import { chain } from '../../src/nn/chain.ts';
import { solve } from '../../solvers/solve.ts';
import { odeProblem } from '../../src/core/ode-problem.ts';
import { odeObjective, type OdeObjectiveSpec } from '../../src/training/ode-objective.ts';
import { expressionModel } from '../../src/expressions/expression-model.ts';
import { supervisedObjective } from '../../src/training/supervised-objective.ts';
import { lossByName } from '../../src/losses/builtin.ts';
import { meanSquaredError } from '../../src/losses/regression.ts';
import { parameters, scalar } from '../../src/parameters/layout.ts';
import { theophyllineModel, theophyllineSubjects } from '../../examples/theophylline-model.ts';
import { readNonmemData } from '../../src/pharmacometrics/nonmem-data.ts';
import { readFileSync } from 'node:fs';
import { THEOPHYLLINE_CSV } from '../../examples/theophylline-model.ts';

/** The error `f` throws (it must throw a ScichainError). */
function failure(f: () => unknown): ScichainError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ScichainError);
    return error as ScichainError;
  }
  throw new Error('expected an error, got none');
}

const METHODS = 'valid: FO, FOCE, FOCEI, Laplace';

describe('estimation methods', () => {
  const model = theophyllineModel();
  const subjects = theophyllineSubjects('closed-form');

  it("'foce' is refused, suggesting 'FOCE' (it ran FOCEI)", () => {
    const e = failure(() => fitPopulation(model, subjects, { method: 'foce' as never }));
    expect(e.code).toBe('UnknownName');
    expect(e.message).toBe(`unknown estimation method 'foce'; did you mean 'FOCE'? ${METHODS}`);
  });

  it("'Bogus' is refused with the valid names and no suggestion", () => {
    const e = failure(() => fitPopulation(model, subjects, { method: 'Bogus' as never }));
    expect(e.message).toBe(`unknown estimation method 'Bogus'; ${METHODS}`);
  });

  it('a missing method (JavaScript) is refused too', () => {
    const e = failure(() => fitPopulation(model, subjects, {} as never));
    expect(e.message).toBe(`unknown estimation method undefined; ${METHODS}`);
  });

  it('neural population fits check the method before the first joint step', () => {
    const started = performance.now();
    const e = failure(() => fitNeuralPopulation(model, subjects, { method: 'laplace' as never }));
    expect(e.message).toBe(
      `unknown estimation method 'laplace'; did you mean 'Laplace'? ${METHODS}`,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('the Laplace Hessian option', () => {
    const e = failure(() =>
      fitPopulation(model, subjects, { method: 'Laplace', laplaceHessian: 'Numerical' as never }),
    );
    expect(e.message).toBe(
      "unknown Laplace Hessian 'Numerical'; did you mean 'numerical'? valid: expected, numerical",
    );
  });
});

describe('optimizer names', () => {
  const fg = (t: Float64Array, g: Float64Array): number => {
    g[0] = 2 * t[0];
    return t[0] * t[0];
  };

  it('minimize: method names', () => {
    const theta = new Float64Array([1]);
    expect(failure(() => minimize(fg, theta, { method: 'LBFGS' as never })).message).toBe(
      "unknown minimize method 'LBFGS'; did you mean 'lbfgs'? valid: lbfgs, adam, gradientDescent",
    );
    expect(failure(() => minimize(fg, theta, { method: 'sgd' as never })).message).toBe(
      "unknown minimize method 'sgd'; valid: lbfgs, adam, gradientDescent",
    );
    expect(failure(() => minimize(fg, theta, { method: {} as never })).message).toMatch(
      /^minimize method must be one of lbfgs, adam, gradientDescent or a first-order optimizer/,
    );
    expect(theta[0]).toBe(1); // nothing ran
  });

  it('minimizePhases: a phase method given as a name', () => {
    const e = failure(() =>
      minimizePhases(new Float64Array([1]), [
        { label: 'warm-up', objective: () => fg, method: 'adam' as never },
      ]),
    );
    expect(e.message).toBe(
      "phase 0 ('warm-up'): method must be 'lbfgs' or a function making a first-order optimizer, e.g. () => adam({ learningRate: 1e-3 }); got 'adam'",
    );
    // A configured optimizer object where a factory is expected.
    expect(() =>
      minimizePhases(new Float64Array([1]), [
        { label: 'a', objective: () => fg, method: adam() as never },
      ]),
    ).toThrow(/phase 0 \('a'\): method must be 'lbfgs' or a function/);
  });
});

describe('activation names', () => {
  const valid = 'valid: identity, tanh, sigmoid, relu, softplus, silu, gelu, rbf, swish';
  it('letter case and typos get a suggestion; the list is complete', () => {
    expect(failure(() => dense(4, 'Tanh' as never)).message).toBe(
      `unknown activation 'Tanh'; did you mean 'tanh'? ${valid}`,
    );
    expect(failure(() => dense(4, 'rleu' as never)).message).toBe(
      `unknown activation 'rleu'; did you mean 'relu'? ${valid}`,
    );
    expect(failure(() => chain(2, dense(4, 'leaky' as never))).message).toBe(
      `unknown activation 'leaky'; ${valid}`,
    );
    // Inherited object keys are not names.
    expect(failure(() => dense(4, 'constructor' as never)).message).toContain(
      "unknown activation 'constructor'",
    );
  });
});

describe('solver and sensitivity names', () => {
  const valid = 'valid: auto, Tsit5, DP5, BS3, Vern7, RK4, Euler, Rodas5P, Rodas4, Rosenbrock23';
  const problem = odeProblem({
    f: (du, u) => {
      du[0] = -u[0];
    },
    u0: [1],
    tspan: [0, 1],
  });

  it('solve', () => {
    expect(failure(() => solve(problem, 'tsit5' as never)).message).toBe(
      `unknown ODE method 'tsit5'; did you mean 'Tsit5'? ${valid}`,
    );
    expect(failure(() => solve(problem, 'Dopri8' as never)).message).toBe(
      `unknown ODE method 'Dopri8'; ${valid}`,
    );
  });

  const model = expressionModel({
    states: ['x'],
    parameters: { k: 0.5 },
    equations: { x: '-k*x' },
  });
  const spec: OdeObjectiveSpec = {
    model,
    u0: [1],
    data: { times: [0.5, 1], values: [0.8, 0.6] },
  };

  it('odeObjective: forward and adjoint solvers and the sensitivity method, at construction', () => {
    expect(failure(() => odeObjective({ ...spec, method: 'dp5' as never })).message).toBe(
      `unknown ODE method 'dp5'; did you mean 'DP5'? ${valid}`,
    );
    expect(
      failure(() => odeObjective({ ...spec, adjoint: { method: 'rodas5p' as never } })).message,
    ).toBe(`unknown adjoint ODE method 'rodas5p'; did you mean 'Rodas5P'? ${valid}`);
    const sensitivities = 'valid: quadrature, interpolating, backsolve, forward';
    expect(
      failure(() => odeObjective({ ...spec, sensitivity: 'Quadrature' as never })).message,
    ).toBe(`unknown sensitivity method 'Quadrature'; did you mean 'quadrature'? ${sensitivities}`);
    // `in` accepted inherited keys: 'toString' passed and failed at the first gradient.
    expect(failure(() => odeObjective({ ...spec, sensitivity: 'toString' as never })).message).toBe(
      `unknown sensitivity method 'toString'; ${sensitivities}`,
    );
  });

  it('odeSubjects: the solver, before any subject is built', () => {
    const records = readNonmemData(readFileSync(THEOPHYLLINE_CSV, 'utf8'), {
      compartments: 2,
    }).subjects;
    const pk = expressionModel({
      states: ['depot', 'central'],
      parameters: { ka: 1, cl: 1, v: 1 },
      equations: { depot: '-ka*depot', central: 'ka*depot - cl/v*central' },
    });
    const e = failure(() =>
      odeSubjects(records, {
        model: pk,
        parameters: ['ka', 'cl', 'v'],
        observe: pk.observation({ conc: 'central/v' }),
        method: 'vern7' as never,
      }),
    );
    expect(e.message).toBe(`unknown ODE method 'vern7'; did you mean 'Vern7'? ${valid}`);
  });
});

describe('loss names', () => {
  const valid =
    'valid: sumSquaredError, meanSquaredError, sumAbsoluteError, meanAbsoluteError, logitCrossEntropy';
  const net = chain(1, dense(1));
  const data = { x: new Float64Array([1, 2]), y: new Float64Array([2, 4]) };

  it('a loss given as a string to supervisedObjective', () => {
    expect(
      failure(() => supervisedObjective({ model: net, loss: 'mse' as never, ...data })).message,
    ).toBe(`unknown loss 'mse'; ${valid} (pass the loss itself) or a Loss of your own`);
    expect(
      failure(() => supervisedObjective({ model: net, loss: 'meanSquaredErorr' as never, ...data }))
        .message,
    ).toBe(
      `unknown loss 'meanSquaredErorr'; did you mean 'meanSquaredError'? ${valid} (pass the loss itself) or a Loss of your own`,
    );
    expect(
      failure(() => supervisedObjective({ model: net, loss: 'meanSquaredError' as never, ...data }))
        .message,
    ).toBe(
      "loss 'meanSquaredError' is a name: pass the loss itself (import { meanSquaredError } from 'scichain'), or lossByName('meanSquaredError')",
    );
    // The real one works.
    expect(supervisedObjective({ model: net, loss: meanSquaredError, ...data }).n).toBe(2);
  });

  it('lossByName, for names from a command line or a file', () => {
    expect(lossByName('meanSquaredError')).toBe(meanSquaredError);
    expect(failure(() => lossByName('MeanSquaredError')).message).toBe(
      `unknown loss 'MeanSquaredError'; did you mean 'meanSquaredError'? ${valid}`,
    );
  });

  it('observation error models of an ODE objective', () => {
    const model = expressionModel({
      states: ['x'],
      parameters: { k: 0.5, sigma: scalar(0.1, { transform: 'positive' }) },
      equations: { x: '-k*x' },
    });
    const base = { model, u0: [1], data: { times: [0.5], values: [0.8] } };
    expect(failure(() => odeObjective({ ...base, error: 'SSE' as never })).message).toBe(
      "error model of 'x': unknown error model 'SSE'; did you mean 'sse'? valid: 'sse' or { type: 'additive' | 'proportional' | 'combined', … }",
    );
    expect(
      failure(() => odeObjective({ ...base, error: { type: 'additiv', sigma: 'sigma' } as never }))
        .message,
    ).toBe(
      "error model of 'x': unknown type 'additiv'; did you mean 'additive'? valid: additive, proportional, combined",
    );
  });
});

describe('transform names', () => {
  it("'positiv' is an error at the layout, not a crash at first use", () => {
    const e = failure(() => parameters({ k: scalar(1, { transform: 'positiv' as never }) }));
    expect(e.message).toBe(
      "parameter 'k': unknown transform 'positiv'; did you mean 'positive'? valid: 'positive', [lower, upper] or a transform",
    );
  });
});

describe('dtype names', () => {
  it("'float16' made a float64 θ; now it is refused", () => {
    const L = parameters({ k: scalar(1) });
    expect(failure(() => L.initial({ dtype: 'float16' as never })).message).toBe(
      "unknown dtype 'float16'; valid: float64, float32",
    );
    expect(failure(() => L.zeros('Float32' as never)).message).toBe(
      "unknown dtype 'Float32'; did you mean 'float32'? valid: float64, float32",
    );
    expect(L.initial({ dtype: 'float32' })).toBeInstanceOf(Float32Array);
  });
});

describe('requireName', () => {
  it('suggests only a close, unambiguous name', () => {
    const valid = ['FO', 'FOCE', 'FOCEI', 'Laplace'] as const;
    expect(requireName('FOCEI', valid, 'method')).toBe('FOCEI');
    expect(() => requireName('FOC', valid, 'method')).toThrow(
      "unknown method 'FOC'; valid: FO, FOCE, FOCEI, Laplace", // FO and FOCE are both one edit away
    );
    expect(() => requireName('Lapalce', valid, 'method')).toThrow("did you mean 'Laplace'?");
    expect(() => requireName(3, valid, 'method')).toThrow('unknown method 3 (a number); valid:');
  });
});

describe('numbers given as strings from JavaScript', () => {
  it('are quoted, not printed as if they were numbers', () => {
    expect(() => requireInteger('10' as unknown as number, 'epochs')).toThrow(
      'epochs must be an integer ≥ 0, got "10"',
    );
    expect(() => requireFinite('x' as unknown as number, 'rtol')).toThrow(
      'rtol must be a finite number, got "x"',
    );
  });
});
