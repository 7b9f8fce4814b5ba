/**
 * `npm run bench -- ude [--params file.json] [--method DP5|Tsit5] [--sensitivity quadrature,…]
 *  [--seed 1] [--budget 1000]`
 *
 * Loss and gradient of the Lotka–Volterra UDE (2–5–5–5–2 rbf network, α and δ fixed): the loss is
 * the sum of squared errors against the noise-free trajectory at t = 0, 0.25, …, 5 (both states),
 * solved at rtol = atol = 1e-6. Per method and sensitivity: `ms_per_gradient` (median), the loss,
 * the gradient's 2-norm over the network's parameters, `rhs_calls` and `vjp_calls`.
 * `--params` takes a JSON array of the network's parameters in DESIGN.md's dense order (weight
 * out × in row-major, then bias, layer by layer — PyTorch's order), to compare with other tools.
 */
import { readFileSync } from 'node:fs';
import { odeObjective, type MethodName, type SensitivityMethod } from '../src/index.ts';
import {
  LOTKA_VOLTERRA_TRUTH,
  lotkaVolterraTrajectory,
  lotkaVolterraUde,
} from '../models/lotka-volterra-ude.ts';
import { emit, median, numberOption } from './harness.ts';

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
}

export function run(args: string[]): void {
  const model = lotkaVolterraUde();
  const { u0, tspan } = LOTKA_VOLTERRA_TRUTH;
  const times = Array.from({ length: 21 }, (_, i) => (i * tspan[1]) / 20);
  const truth = lotkaVolterraTrajectory(times);
  const p = model.initialParameters(numberOption(args, 'seed', 1));
  const net = model.offset('nn');
  const file = option(args, 'params');
  if (file !== undefined) {
    const values = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (
      !Array.isArray(values) ||
      values.length !== p.length - net ||
      !values.every(Number.isFinite)
    ) {
      throw new Error(
        `${file} must be a JSON array of ${p.length - net} finite numbers (the network's parameters)`,
      );
    }
    p.set(values as number[], net);
  }
  const methods = (option(args, 'method') ?? 'DP5,Tsit5').split(',') as MethodName[];
  const sensitivities = (
    option(args, 'sensitivity') ?? 'quadrature,interpolating,backsolve,forward'
  ).split(',') as SensitivityMethod[];
  const budget = numberOption(args, 'budget', 1000);
  for (const method of methods) {
    for (const sensitivity of sensitivities) {
      const objective = odeObjective({
        model,
        u0,
        data: { times, values: truth },
        method,
        rtol: 1e-6,
        atol: 1e-6,
        sensitivity,
      });
      const grad = new Float64Array(p.length);
      let loss = 0;
      const warm = performance.now();
      while (performance.now() - warm < budget / 4) loss = objective.valueAndGradient(p, grad);
      const samples: number[] = [];
      const started = performance.now();
      while (
        samples.length < 5 ||
        (performance.now() - started < budget && samples.length < 2000)
      ) {
        const t0 = performance.now();
        loss = objective.valueAndGradient(p, grad);
        samples.push(performance.now() - t0);
      }
      let norm = 0;
      for (let k = net; k < p.length; k++) norm += grad[k] * grad[k];
      const counts = objective.lastCounts!;
      const context = { method, sensitivity, threads: 1 };
      emit({
        bench: 'ude',
        metric: 'ms_per_gradient',
        value: +median(samples).toFixed(4),
        unit: 'ms',
        ...context,
      });
      emit({ bench: 'ude', metric: 'loss', value: loss, unit: 'sse', ...context });
      emit({
        bench: 'ude',
        metric: 'gradient_norm',
        value: Math.sqrt(norm),
        unit: '2-norm (network)',
        ...context,
      });
      emit({
        bench: 'ude',
        metric: 'rhs_calls',
        value: counts.forwardRhsCalls + counts.backwardRhsCalls,
        unit: 'calls',
        forward: counts.forwardRhsCalls,
        backward: counts.backwardRhsCalls,
        ...context,
      });
      emit({
        bench: 'ude',
        metric: 'vjp_calls',
        value: counts.vjpCalls,
        unit: 'calls',
        ...context,
      });
    }
  }
}
