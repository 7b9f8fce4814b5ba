/**
 * Population PK of Theophylline (12 subjects, oral doses, 132 concentrations) by FOCEI, as in
 * nlmixr2's tutorial: reads the NONMEM-style data file, fits the one-compartment model, prints
 * the estimates next to nlmixr2's and writes reports/theophylline.html with the diagnostics
 * (DV vs PRED/IPRED, CWRES, η against normal quantiles, individual fits, a 200-replicate VPC).
 *
 *   node --import tsx examples/theophylline.ts [--method FOCEI|FOCE|FO|Laplace]
 *       [--checkpoint FILE] [--checkpoint-every S] [--resume FILE]     (`--help` lists them)
 *
 * Ctrl-C (SIGINT) or SIGTERM finishes the current slice of the fit, writes the checkpoint
 * (default reports/theophylline.ckpt.json), prints the command that resumes it and exits with
 * 130 or 143; the resumed fit ends exactly where an uninterrupted one does.
 */
import { pathToFileURL } from 'node:url';
import { checkpointFlags, exampleArguments, exitInterrupted, runExample } from './cli.ts';
import { NLME_METHODS } from '../src/pharmacometrics/estimation/nlme-objective.ts';
import { fitPopulation, Report, visualPredictiveCheck, type PopulationFit } from '../src/index.ts';
import { fitPopulationAsync, type NlmeMethod, type Vpc } from '../src/pharmacometrics/index.ts';
import { loadPopulationFitCheckpoint } from '../src/pharmacometrics/estimation/fit-population.ts';
import { addPopulationSections } from '../src/report/index.ts';
import {
  NLMIXR2_THEOPHYLLINE,
  theophyllineModel,
  theophyllineSubjects,
} from './theophylline-model.ts';

/** Fits the model and runs the VPC. */
export function runTheophylline(
  method: NlmeMethod = 'FOCEI',
  replicates = 200,
): {
  fit: PopulationFit;
  vpc: Vpc;
} {
  const model = theophyllineModel();
  const subjects = theophyllineSubjects('closed-form');
  const fit = fitPopulation(model, subjects, { method });
  return { fit, vpc: theophyllineVpc(fit, replicates) };
}

/** The VPC of a fit. */
export function theophyllineVpc(fit: PopulationFit, replicates = 200): Vpc {
  return visualPredictiveCheck(fit.model, fit.x, theophyllineSubjects('closed-form'), {
    replicates,
    binEdges: [0, 0.4, 0.8, 1.5, 3, 5, 8, 10, 13, 25],
    seed: 1,
  });
}

/** The report of a run. */
export function theophyllineReport(fit: PopulationFit, vpc: Vpc): Report {
  const report = new Report(
    'Theophylline population PK',
    `one-compartment oral model, ${fit.method}, 12 subjects, 132 observations (examples/data/theoph.csv)`,
  );
  report.text(
    'ka = exp(tka + η_ka), cl = exp(tcl + η_cl), v = exp(tv + η_v), diagonal Ω, additive error; ' +
      'started from tka 0.45, tcl 1, tv 3.45, ω² 0.6/0.3/0.1, sd 0.7 as in nlmixr2’s tutorial.',
  );
  const ref = NLMIXR2_THEOPHYLLINE;
  const cv = (k: number): number => 100 * Math.sqrt(Math.exp(fit.omega[k * 3 + k]) - 1);
  report.table({
    caption: 'scichain vs nlmixr2 (FOCEI)',
    columns: ['quantity', 'scichain', 'nlmixr2'],
    rows: [
      ['objective', fit.objective.toFixed(4), ref.objective],
      ['AIC', fit.aic.toFixed(4), ref.aic],
      ['BIC', fit.bic.toFixed(4), ref.bic],
      ['tka', fit.theta.tka.toFixed(3), ref.tka],
      ['tcl', fit.theta.tcl.toFixed(3), ref.tcl],
      ['tv', fit.theta.tv.toFixed(3), ref.tv],
      ['additive SD', fit.residual.additive!.toFixed(3), ref.addSd],
      [
        'BSV CV% ka / cl / v',
        [0, 1, 2].map((k) => cv(k).toFixed(1)).join(' / '),
        `${ref.cv.ka} / ${ref.cv.cl} / ${ref.cv.v}`,
      ],
    ],
  });
  return addPopulationSections(report, fit, theophyllineSubjects('closed-form'), vpc);
}

/** The command line (`--help` prints it). */
export const THEOPHYLLINE_CLI = {
  script: 'examples/theophylline.ts',
  summary:
    'Fits the one-compartment population model to the Theophylline data set and compares\n' +
    "the estimates with nlmixr2's; writes reports/theophylline.html.",
  flags: {
    method: {
      kind: 'choice',
      choices: NLME_METHODS,
      default: 'FOCEI',
      value: 'M',
      help: 'estimation method',
    },
    ...checkpointFlags('reports/theophylline.ckpt.json'),
  },
} as const;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Flags are checked (and --help answered) before anything runs.
  const args = exampleArguments(THEOPHYLLINE_CLI);
  const { resume } = args;
  const method = args.method as NlmeMethod;
  await runExample(async () => {
    const run = await fitPopulationAsync(theophyllineModel(), theophyllineSubjects('closed-form'), {
      method,
      checkpoint: {
        path: args.checkpoint ?? 'reports/theophylline.ckpt.json',
        everySeconds: args['checkpoint-every'],
      },
      ...(resume === undefined ? {} : { resume: loadPopulationFitCheckpoint(resume) }),
    });
    if (run.reason === 'Interrupted') exitInterrupted(run, 'examples/theophylline.ts');
    const fit = run.fit;
    const vpc = theophyllineVpc(fit);
    console.log(
      `${fit.method}: objective ${fit.objective.toFixed(4)} (nlmixr2 ${NLMIXR2_THEOPHYLLINE.objective}), AIC ${fit.aic.toFixed(4)}, BIC ${fit.bic.toFixed(4)}; ${fit.iterations} iterations, ${fit.seconds.toFixed(1)} s`,
    );
    for (const e of fit.estimates)
      console.log(
        `  ${e.name.padEnd(20)} ${e.value.toPrecision(4).padStart(8)}  %RSE ${e.rse.toFixed(1)}`,
      );
    console.log(`report: ${theophyllineReport(fit, vpc).write('reports/theophylline.html')}`);
  });
}
