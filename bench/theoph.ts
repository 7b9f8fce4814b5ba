/**
 * `npm run bench -- theoph [--repeats 5] [--ode-fit]`
 *
 * First `closed_form_us_per_evaluation`: one closed-form evaluation (one-compartment oral, 200
 * doses, 100 observations, compiled timeline). Then
 * The Theophylline FOCEI fit (examples/theophylline-model.ts): `ms_per_objective` (all 12
 * subjects, with the central-difference gradient the fit uses: 2·7 + 1 objective evaluations),
 * `s_per_fit` (median over repeats, standard errors included), the outer `iterations` and the
 * fit's `objective`, `tka`, `tcl`, `tv`, for the closed-form path; the ODE path's
 * `ms_per_objective` too, with `solves_per_subject_evaluation` (model solves with and without
 * sensitivities per subject and objective evaluation, over the difference gradient), and with
 * `--ode-fit` its whole fit. `path` tells them apart.
 */
import { ClosedFormOneCompartmentOral, doseSchedule, fitPopulation } from '../src/index.ts';
import { doseTimeline } from '../src/pharmacometrics/dosing/dose-timeline.ts';
import {
  doseRecord,
  PopulationObjective,
  type PopulationSubject,
} from '../src/pharmacometrics/index.ts';
import { theophyllineModel, theophyllineSubjects } from '../examples/theophylline-model.ts';
import { emit, median, numberOption } from './harness.ts';

/** Subjects that count their plain and sensitivity solves. */
function counted(subjects: PopulationSubject[]): {
  subjects: PopulationSubject[];
  counts: { plain: number; sensitivity: number };
} {
  const counts = { plain: 0, sensitivity: 0 };
  return {
    counts,
    subjects: subjects.map((s) => ({
      ...s,
      predict(phi, f) {
        counts.plain++;
        s.predict(phi, f);
      },
      predictWithJacobian: s.predictWithJacobian
        ? (phi, f, jacobian, columns) => {
            counts.sensitivity++;
            s.predictWithJacobian!(phi, f, jacobian, columns);
          }
        : undefined,
    })),
  };
}

/** One closed-form evaluation of a long regimen: 200 oral doses every 12 h, 100 observations. */
function closedFormEvaluation(): void {
  const model = new ClosedFormOneCompartmentOral({ ka: 1.2, cl: 4, v: 30 });
  const doses = Array.from({ length: 200 }, (_, k) => doseRecord({ time: 12 * k, row: k + 2 }));
  const timeline = doseTimeline(doseSchedule(doses), model.compartments);
  const times = Float64Array.from({ length: 100 }, (_, j) => 24 * j + 3);
  const out = new Float64Array(times.length);
  const samples: number[] = [];
  for (let r = 0; r < 30; r++) {
    const started = performance.now();
    for (let i = 0; i < 200; i++) model.concentrationsAt(timeline, times, out);
    samples.push(((performance.now() - started) * 1000) / 200);
  }
  emit({
    bench: 'theoph',
    metric: 'closed_form_us_per_evaluation',
    value: +median(samples).toFixed(2),
    unit: 'µs',
    model: 'one-compartment oral',
    doses: 200,
    observations: 100,
  });
}

export function run(args: string[]): void {
  closedFormEvaluation();
  const repeats = numberOption(args, 'repeats', 5);
  const model = theophyllineModel();
  for (const path of ['closed-form', 'ode'] as const) {
    const { subjects, counts } = counted(theophyllineSubjects(path));
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
    if (path === 'ode') {
      const per = subjects.length * objective.evaluations;
      emit({
        bench: 'theoph',
        metric: 'solves_per_subject_evaluation',
        value: +((counts.plain + counts.sensitivity) / per).toFixed(2),
        unit: 'solves',
        path,
        with_sensitivities: +(counts.sensitivity / per).toFixed(2),
        plain: +(counts.plain / per).toFixed(2),
      });
    }
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
