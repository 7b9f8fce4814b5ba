// One objective protocol (issue 18): every objective is `valueAndGradient(θ, gradient) → value`,
// and the optimizers take the function or the object holding it — with the same bits.
import { describe, expect, it } from 'vitest';
import { valueAndGradientOf, type Objective } from '../../src/core/objective.ts';
import { minimize } from '../../src/optim/minimize.ts';
import { lbfgs } from '../../src/optim/lbfgs.ts';
import { chain } from '../../src/nn/chain.ts';
import { dense } from '../../src/nn/dense.ts';
import { meanSquaredError } from '../../src/losses/regression.ts';
import { supervisedObjective } from '../../src/training/supervised-objective.ts';
import { Rng } from '../../src/core/rng.ts';

/** Rosenbrock's function as an objective object. */
const rosenbrock: Objective<Float64Array> = {
  valueAndGradient: (x, g) => {
    const a = 1 - x[0];
    const b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  },
};

describe('the objective protocol', () => {
  it('minimize and lbfgs take the object or its function, with the same iterates', () => {
    const a = Float64Array.from([-1.2, 1]);
    const b = Float64Array.from([-1.2, 1]);
    const ra = minimize(rosenbrock, a);
    const rb = minimize(rosenbrock.valueAndGradient, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(ra.iterations).toBe(rb.iterations);
    expect(a[0]).toBeCloseTo(1, 6);
    expect(a[1]).toBeCloseTo(1, 6);
    const c = Float64Array.from([-1.2, 1]);
    lbfgs(rosenbrock, c);
    expect(Array.from(c)).toEqual(Array.from(a));
  });

  it('a supervised objective is an Objective: minimize(objective, θ) trains it', () => {
    const model = chain(1, dense(8, 'tanh'), dense(1));
    const x = Float64Array.from({ length: 32 }, (_, i) => i / 16 - 1);
    const y = x.map((v) => Math.sin(2 * v));
    const objective = supervisedObjective({ model, loss: meanSquaredError, x, y });
    const theta = new Float64Array(model.paramCount);
    model.init(theta, 0, new Rng(3));
    const grad = new Float64Array(theta.length);
    const before = objective.valueAndGradient(theta, grad);
    const r = minimize(objective, theta, { maxIterations: 200 });
    expect(r.value).toBeLessThan(before / 20);
  });

  it('anything else is refused, saying what an objective is', () => {
    expect(() => valueAndGradientOf({} as Objective)).toThrow(
      /an objective must be a function \(θ, gradient\) => value or an object with such a valueAndGradient/,
    );
    expect(() => minimize(42 as unknown as Objective, new Float64Array(1))).toThrow(
      /an objective must be a function/,
    );
  });
});
