/**
 * Parts of a multi-trajectory UDE loss for the threaded tests: the Lotka–Volterra UDE fitted to
 * `count` trajectories that start from different initial states.
 */
import { odeObjective } from '../../src/index.ts';
import { type OdeObjective } from '../../solvers/index.ts';
import {
  LOTKA_VOLTERRA_TRUTH,
  lotkaVolterraTrajectory,
  lotkaVolterraUde,
} from '../../models/lotka-volterra-ude.ts';

export function lotkaVolterraParts(args: { count: number }): OdeObjective[] {
  const model = lotkaVolterraUde();
  const times = Array.from({ length: 11 }, (_, i) => (i * LOTKA_VOLTERRA_TRUTH.tspan[1]) / 10);
  return Array.from({ length: args.count }, (_, k) => {
    const u0 = [
      LOTKA_VOLTERRA_TRUTH.u0[0] * (1 + 0.1 * k),
      LOTKA_VOLTERRA_TRUTH.u0[1] * (1 - 0.05 * k),
    ];
    return odeObjective({
      model,
      u0,
      data: { times, values: lotkaVolterraTrajectory(times, u0) },
      method: 'DP5',
      rtol: 1e-8,
      atol: 1e-8,
    });
  });
}

/** The same model with one trajectory too few: a worker must refuse it. */
export function tooFewParts(args: { count: number }): OdeObjective[] {
  return lotkaVolterraParts({ count: args.count - 1 });
}
