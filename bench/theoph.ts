/**
 * `npm run bench -- theoph [--repeats 5] [--ode-fit]`
 *
 * The Theophylline FOCEI fit (examples/theophylline-model.ts): `ms_per_objective` (all 12
 * subjects, with the central-difference gradient the fit uses: 2·7 + 1 objective evaluations),
 * `s_per_fit` (median over repeats, standard errors included), the outer `iterations` and the
 * fit's `objective`, `tka`, `tcl`, `tv`, for the closed-form path; the ODE path's
 * `ms_per_objective` too, and with `--ode-fit` its whole fit (minutes). `path` tells them apart.
 */
import { fitPopulation, PopulationObjective } from '../src/index.ts';
import { theophyllineModel, theophyllineSubjects } from '../examples/theophylline-model.ts';
import { emit, median, numberOption } from './harness.ts';

export function run(args: string[]): void {
  const repeats = numberOption(args, 'repeats', 5);
  const model = theophyllineModel();
  for (const path of ['closed-form', 'ode'] as const) {
    const subjects = theophyllineSubjects(path);
    const objective = new PopulationObjective(model, subjects, 'FOCEI');
    const x = model.initial();
    const evaluations = 2 * x.length + 1;
    const times: number[] = [];
    for (let r = 0; r < (path === 'ode' ? 2 : 10); r++) {
      const started = performance.now();
      objective.value(x);
      for (let k = 0; k < x.length; k++) {
        const h = 1e-4 * Math.max(1, Math.abs(x[k]));
        const old = x[k];
        x[k] = old + h;
        objective.value(x);
        x[k] = old - h;
        objective.value(x);
        x[k] = old;
      }
      times.push(performance.now() - started);
    }
    emit({
      bench: 'theoph',
      metric: 'ms_per_objective',
      value: +median(times).toFixed(3),
      unit: 'ms',
      path,
      method: 'FOCEI',
      objective_evaluations: evaluations,
    });
    if (path === 'ode' && !args.includes('--ode-fit')) continue;
    const fits = [];
    const seconds: number[] = [];
    for (let r = 0; r < (path === 'ode' ? 1 : repeats); r++) {
      const fit = fitPopulation(model, subjects, { method: 'FOCEI' });
      fits.push(fit);
      seconds.push(fit.seconds);
    }
    const fit = fits[fits.length - 1];
    const context = { path, method: 'FOCEI' };
    emit({
      bench: 'theoph',
      metric: 's_per_fit',
      value: +median(seconds).toFixed(3),
      unit: 's',
      ...context,
    });
    emit({
      bench: 'theoph',
      metric: 'iterations',
      value: fit.iterations,
      unit: 'iterations',
      ...context,
    });
    emit({
      bench: 'theoph',
      metric: 'objective',
      value: +fit.objective.toFixed(4),
      unit: '-2LL (no N ln 2π)',
      ...context,
    });
    for (const name of ['tka', 'tcl', 'tv'])
      emit({
        bench: 'theoph',
        metric: name,
        value: +fit.theta[name].toFixed(4),
        unit: 'log scale',
        ...context,
      });
  }
}
