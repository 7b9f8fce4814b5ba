// Run in a child process (node --expose-gc --min/max-semi-space-size=64 --import tsx …): prints the
// heap growth per call of the hot paths as JSON, for test/nn/allocation.test.ts.
import { allocatingControl, bytesAllocatedPerCall } from '../../bench/harness.ts';
import { LOTKA_VOLTERRA_TRUTH, lotkaVolterraUde } from '../../models/lotka-volterra-ude.ts';
import { dp5 } from '../../solvers/explicit/dp5.ts';
import { AdjointDynamics, StepQuadrature } from '../../solvers/sensitivity/adjoint-dynamics.ts';
import { gaussLegendre } from '../../solvers/sensitivity/gauss-legendre.ts';
import { RungeKuttaStepper } from '../../solvers/explicit/runge-kutta.ts';
import { tsit5 } from '../../solvers/explicit/tsit5.ts';
import { emptyStats } from '../../solvers/return-code.ts';
import { rodas5p } from '../../solvers/stiff/rodas5p.ts';
import { RosenbrockStepper } from '../../solvers/stiff/rosenbrock.ts';
import {
  adam,
  chain,
  dense,
  dropout,
  meanSquaredError,
  odeProblem,
  Rng,
  solve,
  supervisedObjective,
} from '../../src/index.ts';

const calls = 50_000;
const results: Record<string, number> = {};

{
  const net = chain(2, dense(32, 'tanh'), dense(32, 'gelu'), dense(2));
  const theta = new Float64Array(net.paramCount);
  net.init(theta, 0, new Rng(1));
  const grad = new Float64Array(net.paramCount);
  const ws = net.workspace();
  const x = new Float64Array([0.3, -0.7]);
  const yBar = new Float64Array([1, -0.5]);
  const xBar = new Float64Array(2);
  results.singleSample = await bytesAllocatedPerCall(() => {
    net.forward(theta, 0, x, null, ws, 1);
    net.vjp(theta, 0, ws, yBar, xBar, grad, 0, 1);
  }, calls);
}
{
  const net = chain(3, dense(8, 'softplus'), dropout(0.2), dense(3));
  const rng = new Rng(2);
  const x = rng.fillNormal(new Float32Array(3 * 16));
  const y = rng.fillNormal(new Float32Array(3 * 16));
  const theta = new Float32Array(net.paramCount);
  net.init(theta, 0, rng);
  const grad = new Float32Array(net.paramCount);
  const objective = supervisedObjective({ model: net, loss: meanSquaredError, x, y });
  objective.training = true;
  const opt = adam();
  results.batchedTrainingStep = await bytesAllocatedPerCall(() => {
    objective.valueAndGradient(theta, grad);
    opt.step(theta, grad);
  }, calls / 10);
  // A step on the WebAssembly kernels (layers and the loss's SIMD loop, buffers in the arena).
  const wasmNet = chain(3, dense(16, 'tanh'), dense(3));
  const wasmTheta = new Float32Array(wasmNet.paramCount);
  wasmNet.init(wasmTheta, 0, rng);
  const wasmGrad = new Float32Array(wasmNet.paramCount);
  const wasmObjective = supervisedObjective({
    model: wasmNet,
    loss: meanSquaredError,
    x,
    y,
    kernels: 'wasm',
  });
  const wasmOpt = adam();
  results.wasmTrainingStep = await bytesAllocatedPerCall(() => {
    wasmObjective.valueAndGradient(wasmTheta, wasmGrad);
    wasmOpt.step(wasmTheta, wasmGrad);
  }, calls / 10);
  // The same step with the rows split over two threads (the calling thread's side: commands,
  // its share, the gradient reduction).
  const threaded = supervisedObjective({ model: net, loss: meanSquaredError, x, y, threads: 2 });
  threaded.training = true;
  // Let the worker finish starting (its boot messages arrive on this thread's event loop).
  for (let i = 0; i < 200; i++) threaded.valueAndGradient(theta, grad);
  await new Promise((resolve) => setTimeout(resolve, 300));
  results.threadedTrainingStep = await bytesAllocatedPerCall(() => {
    threaded.valueAndGradient(theta, grad);
    opt.step(theta, grad);
  }, calls / 10);
}
{
  // ODE step paths: an explicit and a Rosenbrock step (attempt + dense record + accept).
  const problem = odeProblem({
    f: (du, u) => {
      du[0] = u[1];
      du[1] = -u[0] + 0.1 * u[1] * (1 - u[0] * u[0]);
    },
    u0: [1, 0],
    tspan: [0, 1e9],
  });
  const p = new Float64Array(0);
  const stats = emptyStats();
  const atol = new Float64Array([1e-8, 1e-8]);
  const u = Float64Array.from(problem.u0);
  const u1 = new Float64Array(2);
  const record = new Float64Array(64);
  const steppers = [
    new RungeKuttaStepper(tsit5, problem, p, { atol, rtol: 1e-6 }, stats),
    new RosenbrockStepper(rodas5p, problem, p, { atol, rtol: 1e-6 }, stats),
  ];
  for (const [name, stepper] of [
    ['odeExplicitStep', steppers[0]],
    ['odeRosenbrockStep', steppers[1]],
  ] as const) {
    const clock = new Float64Array([0, 1e-3]); // [t, h]
    results[name] = await bytesAllocatedPerCall(() => {
      stepper.attempt(clock, u, u1);
      stepper.record(record, 0, clock, u, u1);
      stepper.accept(clock, u, u1);
      u.set(u1);
      clock[0] += clock[1];
    }, calls / 5);
  }
}
{
  // The backward step path of the default (quadrature) adjoint on the Lotka–Volterra UDE: the
  // adjoint right-hand side (a network VJP at u(t) from the forward dense output), a backward
  // Runge–Kutta step over it, and the Gauss–Legendre accumulation of one step's ∫λᵀ∂f/∂p.
  const model = lotkaVolterraUde();
  const p = model.initialParameters(3);
  for (let i = model.offset('nn'); i < p.length; i++) p[i] *= 0.5;
  const forward = solve(
    odeProblem({ f: model.f, u0: LOTKA_VOLTERRA_TRUTH.u0, tspan: [0, 5], p }),
    'DP5',
    { dense: true, rtol: 1e-6, atol: 1e-6 },
  ).assertSuccess();
  const dynamics = new AdjointDynamics(model, p, forward);
  const adjointProblem = odeProblem({ f: dynamics.rhs, u0: [1, -1], tspan: [5, 0], n: 2 });
  const backward = solve(adjointProblem, 'DP5', { dense: true, rtol: 1e-6, atol: 1e-6 });
  const quadrature = new StepQuadrature(model, p, forward, gaussLegendre(3));
  const grad = new Float64Array(p.length);
  const lambda = new Float64Array([1, -1]);
  const dl = new Float64Array(2);
  let call = 0;
  results.adjointRhs = await bytesAllocatedPerCall(() => {
    dynamics.rhs(dl, lambda, p, 5 * ((call++ % 997) / 997));
  }, calls);
  let s = 0;
  results.quadratureStep = await bytesAllocatedPerCall(() => {
    quadrature.step(backward, s, grad);
    s = (s + 1) % backward.stepCount;
  }, calls / 5);
  const stepper = new RungeKuttaStepper(
    dp5,
    adjointProblem,
    p,
    { atol: new Float64Array([1e-6, 1e-6]), rtol: 1e-6 },
    emptyStats(),
  );
  const l = new Float64Array([1, -1]);
  const l1 = new Float64Array(2);
  const record = new Float64Array(64);
  const clock = new Float64Array([5, -1e-3]); // [t, h]: backwards in time
  results.adjointStep = await bytesAllocatedPerCall(() => {
    stepper.attempt(clock, l, l1);
    stepper.record(record, 0, clock, l);
    stepper.accept(clock, l, l1);
    l.set(l1);
    clock[0] += clock[1];
    if (clock[0] < 0.01) {
      clock[0] = 5;
      l.set(lambda);
    }
    clock[1] = -1e-3;
  }, calls / 5);
}
results.allocatingControl = await bytesAllocatedPerCall(allocatingControl, calls);
console.log(JSON.stringify(results));
