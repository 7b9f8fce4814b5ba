// A small one-compartment population for the tests of degenerate fits, and a setup that builds it
// on worker threads with predictions that turn NaN past a clearance.
import { PopulationModel } from '../../../src/index.ts';
import {
  type PopulationSetup,
  type PopulationSubject,
} from '../../../src/pharmacometrics/index.ts';

export const TIMES = [0.5, 1, 2, 4, 8, 12];

/** One-compartment IV bolus (dose 100) with cl = exp(tcl + η_cl), v = exp(tv + η_v). */
export function model(
  theta: Record<string, number> = { tcl: 0.5, tv: 2.5 },
  cl = 'exp(tcl + eta.cl)',
) {
  return new PopulationModel({
    theta,
    omega: { diagonal: { cl: 0.2, v: 0.2 } },
    residual: { type: 'additive', additive: 0.5 },
    individual: { cl, v: 'exp(tv + eta.v)' },
  });
}

/** Deterministic "observations" around cl ≈ 2, v ≈ 20 with a little scatter. */
const observed = (i: number, t: number): number =>
  (100 / (20 * (1 + 0.05 * (i % 5)))) * Math.exp((-2 / 20) * t * (1 + 0.1 * (i % 3))) +
  0.1 * Math.sin(7 * i + t);

/**
 * Subjects S1…Sn; `broken(phi, id)` may make a prediction NaN (returns true) or throw, as a model
 * outside its domain or a failed solve would.
 */
export function subjects(
  count: number,
  times: readonly number[] = TIMES,
  broken?: (phi: Float64Array, id: string) => boolean,
): PopulationSubject[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `S${i + 1}`;
    return {
      id,
      times,
      observations: times.map((t) => observed(i, t)),
      predict(phi: Float64Array, f: Float64Array) {
        for (let j = 0; j < times.length; j++)
          f[j] = (100 / phi[1]) * Math.exp((-phi[0] / phi[1]) * times[j]);
        if (broken?.(phi, id)) f.fill(NaN);
      },
    };
  });
}

/**
 * For `threads.setup`: 8 subjects whose predictions are NaN once cl exceeds `edge` — only in S5…S8,
 * which a two-thread objective evaluates on its worker.
 */
export function edgeSetup(args: { edge: number }): PopulationSetup {
  return { model: model(), subjects: edgeSubjects(args.edge) };
}

/** The subjects of {@link edgeSetup}. */
export function edgeSubjects(edge: number): PopulationSubject[] {
  return subjects(8, TIMES, (phi, id) => Number(id.slice(1)) > 4 && phi[0] > edge);
}
