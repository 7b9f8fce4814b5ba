// Every sensitivity method against central finite differences of the loss (and against each
// other) on a UDE, a PK model with three doses (one dose amount in p) and a stiff problem with a
// network term — at tight tolerances, relative error ≤ 1e-5 in the gradient's 2-norm.
import { describe, expect, it } from 'vitest';
import {
  bolus,
  chain,
  dense,
  expressionModel,
  odeObjective,
  scalar,
  type OdeObjectiveSpec,
} from '../../src/index.ts';
import {
  LOTKA_VOLTERRA_TRUTH,
  lotkaVolterraTrajectory,
  lotkaVolterraUde,
} from '../../models/lotka-volterra-ude.ts';
import { oneCompartmentOral } from '../../models/pk/one-compartment-oral.ts';
import { checkSensitivities } from '../helpers/sensitivity-check.ts';

describe('sensitivities agree with finite differences', () => {
  it('Lotka–Volterra UDE (2–5–5–5–2 rbf network, DP5)', () => {
    const model = lotkaVolterraUde();
    const { u0, tspan } = LOTKA_VOLTERRA_TRUTH;
    const times = Array.from({ length: 21 }, (_, i) => (i * tspan[1]) / 20);
    const truth = lotkaVolterraTrajectory(times);
    // A network of the size training starts from: its output a fraction of the known terms.
    const p = model.initialParameters(3);
    const net = model.offset('nn');
    for (let k = net; k < p.length; k++) p[k] *= 0.5;
    const spec: OdeObjectiveSpec = {
      model,
      u0,
      data: { times, values: truth },
      method: 'DP5',
      rtol: 1e-10,
      atol: 1e-10,
    };
    checkSensitivities(spec, p);
  });

  it('one-compartment PK, three oral doses (the first one’s amount in p), combined Gaussian error', () => {
    const model = oneCompartmentOral(
      {},
      {
        dose: 100,
        sigmaAdd: scalar(0.05, { transform: 'positive' }),
        sigmaProp: scalar(0.1, { transform: 'positive' }),
      },
    );
    const doseIndex = model.offset('dose');
    const events = [bolus(0, 0, { parameter: doseIndex }), bolus(12, 0, 80), bolus(24, 0, 120)];
    const times = [0.5, 1, 2, 4, 8, 12, 13, 16, 24, 25, 30, 36];
    const observed = [1.9, 2.6, 2.9, 2.4, 1.6, 1.05, 2.9, 2.2, 1.2, 4.2, 3.1, 1.9];
    const p = model.initialParameters();
    const spec: OdeObjectiveSpec = {
      model,
      u0: [0, 0],
      data: { times, values: observed },
      observe: model.observation({ conc: 'conc' }),
      error: {
        type: 'combined',
        additive: 'sigmaAdd',
        proportional: 'sigmaProp',
        convention: 'variance',
      },
      events,
      rtol: 1e-11,
      atol: 1e-11,
    };
    checkSensitivities(spec, p);
    // The dose amount's gradient is there and non-zero.
    const g = new Float64Array(p.length);
    odeObjective(spec).valueAndGradient(p, g);
    expect(Math.abs(g[doseIndex])).toBeGreaterThan(1e-4);
  });

  // Backsolve is left out of the stiff cases: re-integrating a stiff state backwards is unstable
  // (its decaying modes grow in reverse time; the step size collapses below t = 40 here even with
  // checkpoints at every forward step), as for every backsolve adjoint. The HIRES case checks
  // that it then fails with an error saying so.
  it('stiff: Robertson with a small network term, Rodas5P forward and backward', () => {
    const model = expressionModel({
      states: ['y1', 'y2', 'y3'],
      parameters: {
        k1: scalar(0.04, { transform: 'positive' }),
        k2: scalar(3e7, { transform: 'positive' }),
        k3: scalar(1e4, { transform: 'positive' }),
      },
      terms: { nn: chain(2, dense(3, 'tanh'), dense(1)) },
      equations: {
        y1: '-k1*y1 + k3*y2*y3 + 0.01*nn(y1, y3)[1]*y1',
        y2: 'k1*y1 - k3*y2*y3 - k2*y2^2',
        y3: 'k2*y2^2 - 0.01*nn(y1, y3)[1]*y1',
      },
    });
    const p = model.initialParameters(2);
    const times = [0.1, 0.4, 1, 4, 10, 40];
    const observed = [0.996, 0.985, 0.966, 0.906, 0.842, 0.715].flatMap((y1, i) => [
      y1,
      [3e-5, 3.3e-5, 3.1e-5, 2.5e-5, 2e-5, 1.4e-5][i] * 1e4,
      1 - y1,
    ]);
    const spec: OdeObjectiveSpec = {
      model,
      u0: [1, 0, 0],
      data: { times, values: observed },
      // y2 is ~1e-5: observe it scaled so that it weighs in the loss.
      observe: model.observation({ a: 'y1', b: 'y2*1e4', c: 'y3' }),
      method: 'Rodas5P',
      rtol: 1e-10,
      atol: 1e-12,
    };
    checkSensitivities(spec, p, ['quadrature', 'interpolating', 'forward']);
  });

  it('stiff: HIRES with a small network term, Rodas5P forward and backward', () => {
    const model = expressionModel({
      states: ['y1', 'y2', 'y3', 'y4', 'y5', 'y6', 'y7', 'y8'],
      parameters: { k1: 1.71, k2: 280, k3: 8.32 },
      terms: { nn: chain(2, dense(3, 'tanh'), dense(1)) },
      equations: {
        y1: '-k1*y1 + 0.43*y2 + k3*y3 + 0.0007 + 0.01*nn(y1, y6)[1]',
        y2: 'k1*y1 - 8.75*y2 - 0.01*nn(y1, y6)[1]',
        y3: '-10.03*y3 + 0.43*y4 + 0.035*y5',
        y4: 'k3*y2 + k1*y3 - 1.12*y4',
        y5: '-1.745*y5 + 0.43*y6 + 0.43*y7',
        y6: '-k2*y6*y8 + 0.69*y4 + k1*y5 - 0.43*y6 + 0.69*y7',
        y7: 'k2*y6*y8 - 1.81*y7',
        y8: '-k2*y6*y8 + 1.81*y7',
      },
    });
    const p = model.initialParameters(4);
    const times = [0.5, 2, 5, 10, 20];
    // Observations: the unperturbed HIRES solution's scale, perturbed, so the loss is not 0.
    const observed = times.flatMap((t, i) => [
      0.9 - 0.05 * i,
      0.15,
      0.02,
      0.1,
      0.02,
      0.05,
      0.001 * (i + 1),
      0.005,
    ]);
    const spec: OdeObjectiveSpec = {
      model,
      u0: [1, 0, 0, 0, 0, 0, 0, 0.0057],
      data: { times, values: observed },
      method: 'Rodas5P',
      rtol: 1e-10,
      atol: 1e-12,
    };
    checkSensitivities(spec, p, ['quadrature', 'interpolating', 'forward']);
    const backsolve = odeObjective({ ...spec, sensitivity: 'backsolve', maxSteps: 5000 });
    // A failed solve is +∞ with a NaN gradient for the optimizers, its reason kept.
    const grad = new Float64Array(p.length);
    expect(backsolve.valueAndGradient(p, grad)).toBe(Infinity);
    expect(grad.every(Number.isNaN)).toBe(true);
    expect(backsolve.solverFailures).toBe(1);
    expect(backsolve.lastSolverFailure).toMatch(
      /unstable for stiff problems.*use sensitivity 'quadrature' or 'interpolating'/,
    );
  });
});
