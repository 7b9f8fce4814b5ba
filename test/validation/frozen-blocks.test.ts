// Blocks declared frozen in the layout stay frozen under every optimizer without the caller
// passing a mask (issue 18): `scalar(0.5, { frozen: true })` was trained unless the caller also
// passed `frozen: layout.frozenMask()`. Each case checks that the frozen block's entries are
// bit-identical after training while the free ones moved.
import { describe, expect, it } from 'vitest';
import { adam } from '../../src/optim/adam.ts';
import { gradientDescent } from '../../src/optim/gradient-descent.ts';
import { lbfgs } from '../../src/optim/lbfgs.ts';
import { minimize } from '../../src/optim/minimize.ts';
import {
  minimizePhases,
  minimizePhasesAsync,
  type MinimizePhase,
} from '../../src/optim/minimize-phases.ts';
import { parameters, scalar, vector, type ParameterLayout } from '../../src/parameters/layout.ts';
import { chain } from '../../src/nn/chain.ts';
import { dense } from '../../src/nn/dense.ts';
import { meanSquaredError } from '../../src/losses/regression.ts';
import { supervisedObjective } from '../../src/training/supervised-objective.ts';
import { trainSupervised, trainSupervisedAsync } from '../../src/training/train-supervised.ts';
import { Rng } from '../../src/core/rng.ts';
import { expressionModel } from '../../src/expressions/expression-model.ts';
import { odeSubjects } from '../../src/pharmacometrics/estimation/ode-subjects.ts';
import { readNonmemData } from '../../src/pharmacometrics/nonmem-data.ts';
import { THEOPHYLLINE_CSV } from '../../examples/theophylline-model.ts';
import { readFileSync } from 'node:fs';

/** a frozen scalar, a free scalar, a vector with one frozen entry in a nested layout. */
function layout(): ParameterLayout {
  return parameters({
    a: scalar(0.5, { frozen: true }),
    b: scalar(-1.25),
    inner: parameters({ c: vector(2, [2, 3]), d: vector(2, [4, 5], { frozen: true }) }),
  });
}

/** f(θ) = Σ wᵢ(θᵢ − tᵢ)²: every entry has a gradient, so an unfrozen one moves. */
const target = [1.5, 0.75, -1, 0.5, 2, -2];
function quadratic(theta: Float64Array, grad: Float64Array): number {
  let f = 0;
  for (let i = 0; i < theta.length; i++) {
    const r = theta[i] - target[i];
    f += (i + 1) * r * r;
    grad[i] = 2 * (i + 1) * r;
  }
  return f;
}

const FROZEN = [0, 4, 5];
const FREE = [1, 2, 3];

function expectFrozen(before: Float64Array, after: Float64Array): void {
  for (const i of FROZEN) expect(Object.is(after[i], before[i]), `θ[${i}]`).toBe(true);
  for (const i of FREE) expect(after[i], `θ[${i}]`).not.toBe(before[i]);
}

describe('blocks frozen in the layout, with no mask passed', () => {
  const cases: [string, (theta: Float64Array) => void][] = [
    [
      'Adam (steps by hand)',
      (theta) => {
        const opt = adam({ learningRate: 0.1, weightDecay: 0.01 });
        const g = new Float64Array(theta.length);
        for (let k = 0; k < 20; k++) {
          quadratic(theta, g);
          opt.step(theta, g);
        }
      },
    ],
    [
      'gradient descent with momentum (steps by hand)',
      (theta) => {
        const opt = gradientDescent({ learningRate: 0.02, momentum: 0.9 });
        const g = new Float64Array(theta.length);
        for (let k = 0; k < 20; k++) {
          quadratic(theta, g);
          opt.step(theta, g);
        }
      },
    ],
    ['minimize, L-BFGS', (theta) => void minimize(quadratic, theta, { maxIterations: 30 })],
    ['lbfgs()', (theta) => void lbfgs(quadratic, theta, { maxIterations: 30 })],
    [
      'minimize, Adam',
      (theta) => void minimize(quadratic, theta, { method: 'adam', maxIterations: 30 }),
    ],
    [
      'minimize, gradient descent',
      (theta) => void minimize(quadratic, theta, { method: 'gradientDescent', maxIterations: 30 }),
    ],
    [
      'minimize with an optimizer object',
      (theta) =>
        void minimize(quadratic, theta, {
          method: adam({ learningRate: 0.05 }),
          maxIterations: 30,
        }),
    ],
    ['minimizePhases (Adam then L-BFGS)', (theta) => void minimizePhases(theta, phases())],
  ];
  for (const [name, train] of cases) {
    it(name, () => {
      const L = layout();
      const theta = L.initial() as Float64Array;
      const before = theta.slice();
      train(theta);
      expectFrozen(before, theta);
    });
  }

  it('minimizePhasesAsync (Adam then L-BFGS, in slices)', async () => {
    const L = layout();
    const theta = L.initial() as Float64Array;
    const before = theta.slice();
    const r = await minimizePhasesAsync(theta, phases(), { sliceMs: 0 });
    expect(r.reason).toBe('Done');
    expectFrozen(before, theta);
  });

  it('the same θ without frozen blocks: every entry moves (the cases above can fail)', () => {
    const L = layout().unfreeze('a');
    const inner = L.block('inner').component as ParameterLayout;
    inner.unfreeze('d');
    const theta = L.initial() as Float64Array;
    const before = theta.slice();
    minimize(quadratic, theta, { maxIterations: 30 });
    for (let i = 0; i < theta.length; i++) expect(theta[i]).not.toBe(before[i]);
  });

  it('an explicit mask adds to the layout’s (union), and a freeze after initial() counts', () => {
    const L = layout();
    const theta = L.initial() as Float64Array;
    const before = theta.slice();
    L.freeze('b'); // after θ was made
    const explicit = Uint8Array.from([0, 0, 1, 0, 0, 0]); // freezes c[0]
    minimize(quadratic, theta, { method: 'adam', maxIterations: 30, frozen: explicit });
    for (const i of [0, 1, 2, 4, 5]) expect(Object.is(theta[i], before[i]), `θ[${i}]`).toBe(true);
    expect(theta[3]).not.toBe(before[3]);
    // Unfrozen again: it trains.
    L.unfreeze('b');
    minimize(quadratic, theta, { maxIterations: 30 });
    expect(theta[1]).not.toBe(before[1]);
    expect(Object.is(theta[0], before[0])).toBe(true);
  });

  it('a mask given to the optimizer itself stays when minimize gets none (it was replaced by null)', () => {
    const theta = new Float64Array([0, 0, 0, 0, 0, 0]); // no layout
    const own = Uint8Array.from([1, 0, 0, 0, 0, 1]);
    minimize(quadratic, theta, {
      method: adam({ learningRate: 0.05, frozen: own }),
      maxIterations: 20,
    });
    expect(Object.is(theta[0], 0)).toBe(true);
    expect(Object.is(theta[5], 0)).toBe(true);
    for (const i of [1, 2, 3, 4]) expect(theta[i]).not.toBe(0);
  });

  it('θ from fromJson, zeros and adopt carry the layout; a copy does not', () => {
    const L = layout();
    const made = L.initial() as Float64Array;
    const loaded = L.fromJson(JSON.parse(JSON.stringify(L.toJson(made)))) as Float64Array;
    const zeros = L.zeros() as Float64Array;
    const adopted = L.adopt(new Float64Array(made));
    for (const theta of [loaded, zeros, adopted]) {
      const before = theta.slice();
      minimize(quadratic, theta, { maxIterations: 30 });
      expectFrozen(before, theta);
    }
    const copy = made.slice();
    minimize(quadratic, copy, { maxIterations: 30 });
    expect(copy[0]).not.toBe(made[0]);
    expect(() => L.adopt(new Float64Array(3))).toThrow(/θ has length 3 but the parameter layout/);
  });
});

function phases(): MinimizePhase<Float64Array>[] {
  return [
    {
      label: 'Adam',
      objective: () => quadratic,
      method: () => adam({ learningRate: 0.05 }),
      options: { maxIterations: 10 },
    },
    {
      label: 'L-BFGS',
      objective: () => quadratic,
      method: 'lbfgs',
      options: { maxIterations: 10 },
    },
  ];
}

describe('training loops honour the layout’s frozen blocks', () => {
  function problem() {
    const net = chain(2, dense(4, 'tanh'), dense(1));
    const L = parameters({
      net,
      shift: vector(2, [0.25, -0.5], { frozen: true }),
      k: scalar(0.5),
    });
    const rng = new Rng(3);
    const x = rng.fillUniform(new Float64Array(2 * 32), -1, 1);
    const y = Float64Array.from({ length: 32 }, (_, s) => x[2 * s] * x[2 * s + 1]);
    const objective = supervisedObjective({
      model: net,
      loss: meanSquaredError,
      x,
      y,
      offset: L.offset('net'),
    });
    return { L, objective };
  }

  it('trainSupervised: the frozen vector stays (weight decay would shrink it), the rest moves', () => {
    const { L, objective } = problem();
    const theta = L.initial({ seed: 1 }) as Float64Array;
    const before = theta.slice();
    trainSupervised(objective, theta, {
      epochs: 5,
      batchSize: 8,
      optimizer: adam({ learningRate: 0.01, weightDecay: 0.1 }),
      progress: false,
    });
    expect(Array.from(L.view(theta, 'shift'))).toEqual(Array.from(L.view(before, 'shift')));
    expect(L.get(theta, 'k')).not.toBe(L.get(before, 'k')); // decays: it is free
    expect(Array.from(L.view(theta, 'net'))).not.toEqual(Array.from(L.view(before, 'net')));
  });

  it('trainSupervisedAsync with the network frozen by freeze(): the network stays', async () => {
    const { L, objective } = problem();
    L.freeze('net');
    const theta = L.initial({ seed: 1 }) as Float64Array;
    const before = theta.slice();
    const run = await trainSupervisedAsync(objective, theta, {
      epochs: 5,
      optimizer: gradientDescent({ learningRate: 0.05, momentum: 0.5 }),
      progress: false,
    });
    expect(run.epochs).toBe(5);
    expect(Array.from(L.view(theta, 'net'))).toEqual(Array.from(L.view(before, 'net')));
    expect(Array.from(L.view(theta, 'shift'))).toEqual(Array.from(L.view(before, 'shift')));
    // Plain gradient descent moves k only through a gradient: it has none, so it stays too;
    // what shows the loop ran is that unfreezing the network trains it.
    L.unfreeze('net');
    trainSupervised(objective, theta, { epochs: 2, progress: false });
    expect(Array.from(L.view(theta, 'net'))).not.toEqual(Array.from(L.view(before, 'net')));
  });
});

describe('population fits over a model layout', () => {
  it('odeSubjects refuses to estimate a block the layout declares frozen', () => {
    const model = expressionModel({
      states: ['depot', 'central'],
      parameters: {
        ka: scalar(1, { transform: 'positive' }),
        cl: scalar(1, { transform: 'positive', frozen: true }),
        v: scalar(10, { transform: 'positive' }),
      },
      equations: { depot: '-ka*depot', central: 'ka*depot - cl/v*central' },
    });
    const records = readNonmemData(readFileSync(THEOPHYLLINE_CSV, 'utf8'), {
      compartments: 2,
    }).subjects.slice(0, 2);
    const spec = {
      model,
      observe: model.observation({ conc: 'central/v' }),
    };
    expect(() => odeSubjects(records, { ...spec, parameters: ['ka', 'cl', 'v'] })).toThrow(
      "parameter 'cl' is frozen in the model's layout, so not estimated: leave it out of parameters (it keeps its initial value) or unfreeze it (model.layout.unfreeze(…))",
    );
    model.layout.unfreeze('cl');
    expect(odeSubjects(records, { ...spec, parameters: ['ka', 'cl', 'v'] })).toHaveLength(2);
  });
});
