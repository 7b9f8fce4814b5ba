// A one-compartment IV study whose clearance scales allometrically with weight
// (CL = 2·(WT/70)^0.75, log-normal variability, 5 % proportional error): the data of the neural
// covariate tests.
import { Rng } from '../../../src/index.ts';
import { type PopulationSubject } from '../../../src/pharmacometrics/index.ts';

export const TIMES = [0.5, 1, 2, 4, 8, 12];

/** `count` simulated subjects (seeded). */
export function simulate(seed: number, count: number): PopulationSubject[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const wt = 40 + 80 * rng.uniform();
    const cl = 2 * (wt / 70) ** 0.75 * Math.exp(Math.sqrt(0.02) * rng.normal());
    const v = 20 * Math.exp(Math.sqrt(0.02) * rng.normal());
    return {
      id: String(i + 1),
      times: TIMES,
      covariates: { WT: wt },
      observations: TIMES.map(
        (t) => (100 / v) * Math.exp((-cl / v) * t) * (1 + 0.05 * rng.normal()),
      ),
      predict(phi: Float64Array, f: Float64Array) {
        for (let j = 0; j < TIMES.length; j++)
          f[j] = (100 / phi[1]) * Math.exp((-phi[0] / phi[1]) * TIMES[j]);
      },
    };
  });
}
