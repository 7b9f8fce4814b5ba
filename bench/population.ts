/**
 * `npm run bench -- population [--threads T] [--repeats N]`: the Theophylline FOCEI objective
 * (examples/theophylline-model.ts, 12 subjects) evaluated with its central-difference gradient
 * (2·7 + 1 objective evaluations, as the fit uses) on 1 and T threads (default: the cores
 * available), for the closed-form and the ODE prediction paths. Per path and thread count:
 * `ms_per_objective` (median after warm-up), then `speedup` (one thread's time over T threads')
 * and whether the objective values were bit-identical (`same_bits`).
 *
 * Subjects are split into fixed contiguous shares, each worker rebuilding the model and subjects
 * through `theophyllineSetup`.
 */
import { availableCores, ThreadPool } from '../src/index.ts';
import { PopulationObjective } from '../src/pharmacometrics/index.ts';
import {
  THEOPHYLLINE_SETUP,
  theophyllineModel,
  theophyllineSubjects,
} from '../examples/theophylline-model.ts';
import { emit, median, numberOption } from './harness.ts';

/** One objective evaluation with its difference gradient; returns the values it saw. */
function objectiveWithGradient(objective: PopulationObjective, x: Float64Array): number[] {
  const values = [objective.value(x)];
  for (let k = 0; k < x.length; k++) {
    const h = 1e-4 * Math.max(1, Math.abs(x[k]));
    const old = x[k];
    x[k] = old + h;
    values.push(objective.value(x));
    x[k] = old - h;
    values.push(objective.value(x));
    x[k] = old;
  }
  return values;
}

export function run(args: string[]): void {
  const threads = numberOption(args, 'threads', Math.max(2, availableCores()));
  const pool = new ThreadPool({ threads });
  for (const path of ['closed-form', 'ode'] as const) {
    const repeats = numberOption(args, 'repeats', path === 'ode' ? 5 : 40);
    const model = theophyllineModel();
    const objectives = [
      new PopulationObjective(model, theophyllineSubjects(path), 'FOCEI'),
      new PopulationObjective(model, theophyllineSubjects(path), 'FOCEI', 'expected', {
        setup: THEOPHYLLINE_SETUP,
        args: { path },
        pool,
      }),
    ];
    const times: number[][] = [[], []];
    const seen: number[][] = [[], []];
    // Alternate the two objectives (the machine's speed drifts); the first rounds warm up.
    const warmUp = path === 'ode' ? 1 : 5;
    for (let r = 0; r < warmUp + repeats; r++) {
      objectives.forEach((objective, i) => {
        const x = model.initial();
        const started = performance.now();
        const values = objectiveWithGradient(objective, x);
        const ms = performance.now() - started;
        if (r >= warmUp) times[i].push(ms);
        seen[i].push(...values);
      });
    }
    const ms = times.map(median);
    objectives.forEach((objective, i) =>
      emit({
        bench: 'population',
        metric: 'ms_per_objective',
        value: +ms[i].toFixed(3),
        unit: 'ms',
        path,
        method: 'FOCEI',
        threads: objective.threads,
        subjects: 12,
        objective_evaluations: 15,
      }),
    );
    emit({
      bench: 'population',
      metric: 'speedup',
      value: +(ms[0] / ms[1]).toFixed(3),
      unit: 'ratio',
      path,
      threads,
      same_bits: seen[0].every((v, j) => Object.is(v, seen[1][j])),
    });
    objectives.forEach((o) => o.dispose());
  }
  pool.close();
}
