/**
 * Neural absorption in a population PK model (what DeepPumas calls a neural-embedded NLME model):
 *
 * 1. simulate a population whose absorption is *not* first order — the dose passes through four
 *    transit compartments (mean transit time 1.5 h, between-subject variability on it, on
 *    clearance and on volume; combined residual error);
 * 2. fit the usual one-compartment model with first-order absorption by FOCEI (closed form);
 * 3. fit a model whose absorption rate is a small network of the time since the dose on each
 *    subject's own time scale (`models/pk/neural-absorption.ts`), by `fitNeuralPopulation`
 *    (joint steps for the network's weights alternating with FOCEI for θ, Ω, σ);
 * 4. compare the two on the FOCEI objective, AIC/BIC, CWRES and the VPC, and compare the learned
 *    absorption profile with the simulated one. Writes reports/neural-absorption.html.
 *
 *   node --import tsx examples/neural-absorption.ts [--subjects 20] [--threads T]
 *       [--checkpoint FILE] [--checkpoint-every S] [--resume FILE]     (`--help` lists them)
 *
 * Ctrl-C (SIGINT) or SIGTERM finishes the current slice of the neural fit, writes the checkpoint
 * (default reports/neural-absorption.ckpt.json), prints the command that resumes it and exits
 * with 130 or 143; the resumed fit ends exactly where an uninterrupted one does.
 *
 * The FOCEI steps of the neural fit run on every core by default (`--threads 1` for one): each
 * worker thread rebuilds the model and the simulated subjects through `neuralAbsorptionSetup`.
 */
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { checkpointFlags, exampleArguments, exitInterrupted, runExample } from './cli.ts';
import {
  ClosedFormOneCompartmentOral,
  closedFormSubjects,
  designRecords,
  fitNeuralPopulation,
  fitPopulation,
  odeProblem,
  odeSubjects,
  PopulationModel,
  Report,
  Rng,
  simulatePopulation,
  solve,
  visualPredictiveCheck,
  type PopulationFit,
} from '../src/index.ts';
import { addPopulationSections } from '../src/report/index.ts';
import {
  fitNeuralPopulationAsync,
  withObservations,
  type NeuralFitCheckpoint,
  type NeuralPopulationFit,
  type NeuralPopulationOptions,
  type NeuralPopulationRun,
  type PopulationSubject,
  type ResidualError,
  type SubjectRecords,
  type Vpc,
} from '../src/pharmacometrics/index.ts';
import { loadNeuralFitCheckpoint } from '../src/pharmacometrics/estimation/neural-fit-checkpoint.ts';
import { type ThreadChoice } from '../src/parallel/index.ts';
import { neuralAbsorption } from '../models/pk/neural-absorption.ts';
import { oneCompartmentOral } from '../models/pk/one-compartment-oral.ts';
import { transitAbsorption } from '../models/pk/transit-absorption.ts';

/** The simulated truth. */
export const NEURAL_ABSORPTION_TRUTH = {
  transitCompartments: 4,
  mtt: 1.5,
  cl: 4,
  v: 30,
  omega: { mtt: 0.1, cl: 0.09, v: 0.04 },
  residual: { type: 'combined-variance', additive: 0.05, proportional: 0.1 } as ResidualError,
  dose: 100,
  times: [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 24],
};

/** What {@link runNeuralAbsorption} takes (defaults: the full example). */
export interface NeuralAbsorptionOptions {
  readonly subjects?: number;
  readonly seed?: number;
  /** Hidden tanh units of the absorption network. */
  readonly hidden?: number;
  readonly rounds?: number;
  readonly jointIterations?: number;
  /** Outer iterations of each FOCEI step, and whether to compute standard errors. */
  readonly populationIterations?: number;
  readonly covariance?: boolean;
  readonly replicates?: number;
  readonly log?: (line: string) => void;
  /** Threads of the FOCEI steps (default 'auto': every core). */
  readonly threads?: ThreadChoice;
}

/** Everything the report shows. */
export interface NeuralAbsorptionResult {
  readonly data: readonly SubjectRecords[];
  readonly firstOrder: {
    fit: PopulationFit;
    subjects: PopulationSubject[];
    vpc: Vpc;
  };
  readonly neural: {
    fit: NeuralPopulationFit;
    subjects: PopulationSubject[];
    vpc: Vpc;
  };
  /** Fraction of the dose absorbed by time τ for a typical subject: truth and both fits. */
  readonly absorbed: {
    readonly tau: number[];
    readonly truth: number[];
    readonly firstOrder: number[];
    readonly neural: number[];
  };
}

const SOLVER = { method: 'Tsit5', rtol: 1e-8, atol: 1e-10 } as const;

/** Simulates the study of the truth (seeded). */
export function simulateTransitStudy(subjects: number, seed: number): SubjectRecords[] {
  const t = NEURAL_ABSORPTION_TRUTH;
  const design = designRecords({ subjects, doses: [{ time: 0, amount: t.dose }], times: t.times });
  const ode = transitAbsorption(t.transitCompartments);
  const truth = new PopulationModel({
    theta: { tmtt: Math.log(t.mtt), tcl: Math.log(t.cl), tv: Math.log(t.v) },
    omega: { diagonal: t.omega },
    residual: t.residual,
    individual: { mtt: 'exp(tmtt + eta.mtt)', cl: 'exp(tcl + eta.cl)', v: 'exp(tv + eta.v)' },
  });
  const predictors = odeSubjects(design, {
    model: ode,
    parameters: ['mtt', 'cl', 'v'],
    observe: ode.observation({ conc: 'central/v' }),
  });
  return withObservations(
    design,
    simulatePopulation(truth, truth.initial(), predictors, new Rng(seed)),
  );
}

/** Erlang(n, n/mtt) distribution function: the transit chain's absorbed fraction. */
function erlangCdf(n: number, mtt: number, tau: number): number {
  const k = (n * tau) / mtt;
  let term = 1;
  let sum = 1;
  for (let j = 1; j < n; j++) {
    term *= k / j;
    sum += term;
  }
  return 1 - Math.exp(-k) * sum;
}

/**
 * The neural-absorption population model and its subjects on the simulated study — also what
 * each worker thread of the FOCEI steps calls to rebuild them (`data` is simulated from the
 * seed when not given, so every thread has the same subjects).
 */
export function neuralAbsorptionSetup(
  args: { subjects: number; seed: number; hidden: number },
  data: readonly SubjectRecords[] = simulateTransitStudy(args.subjects, args.seed),
): {
  model: PopulationModel;
  subjects: PopulationSubject[];
  ode: ReturnType<typeof neuralAbsorption>;
} {
  const t = NEURAL_ABSORPTION_TRUTH;
  const na = neuralAbsorption({ hidden: args.hidden });
  const block = na.layout.block('absorption');
  const p0 = na.initialParameters(args.seed);
  const model = new PopulationModel({
    theta: { tmtt: 0, tcl: Math.log(4), tv: Math.log(30) },
    weights: { absorption: p0.subarray(block.offset, block.offset + block.size) },
    omega: { diagonal: { mtt: 0.3, cl: 0.1, v: 0.1 } },
    residual: t.residual,
    individualNames: ['mtt', 'cl', 'v', 'absorption'],
    individual: (theta, eta, _covariates, phi) => {
      phi[0] = Math.exp(theta.tmtt + eta.mtt);
      phi[1] = Math.exp(theta.tcl + eta.cl);
      phi[2] = Math.exp(theta.tv + eta.v);
    },
  });
  const subjects = odeSubjects(data, {
    model: na,
    parameters: ['mtt', 'cl', 'v', 'absorption'],
    observe: na.observation({ conc: 'central/v' }),
    ...SOLVER,
  });
  return { model, subjects, ode: na };
}

/** Runs the whole comparison. */
export function runNeuralAbsorption(options: NeuralAbsorptionOptions = {}): NeuralAbsorptionResult {
  const prepared = prepareNeuralAbsorption(options);
  const { naModel, naSubjects, fitOptions } = prepared;
  return finishNeuralAbsorption(prepared, fitNeuralPopulation(naModel, naSubjects, fitOptions));
}

/**
 * {@link runNeuralAbsorption} with the neural fit interruptible: a checkpoint every
 * `checkpoint.everySeconds` and on SIGINT/SIGTERM, resumed bit-exactly from `resume` (the
 * first-order fit, fast and deterministic, is simply run again).
 */
export async function runNeuralAbsorptionAsync(
  options: NeuralAbsorptionOptions & {
    checkpoint?: { path: string; everySeconds?: number };
    resume?: NeuralFitCheckpoint;
    stopAfterSlices?: number;
  },
): Promise<NeuralAbsorptionResult | Extract<NeuralPopulationRun, { reason: 'Interrupted' }>> {
  const prepared = prepareNeuralAbsorption(options);
  const { naModel, naSubjects, fitOptions } = prepared;
  const run = await fitNeuralPopulationAsync(naModel, naSubjects, {
    ...fitOptions,
    ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
    ...(options.resume === undefined ? {} : { resume: options.resume }),
    ...(options.stopAfterSlices === undefined ? {} : { stopAfterSlices: options.stopAfterSlices }),
  });
  return run.reason === 'Interrupted' ? run : finishNeuralAbsorption(prepared, run.fit);
}

/** Data, the first-order fit, and the neural model with its fit's options. */
function prepareNeuralAbsorption(options: NeuralAbsorptionOptions) {
  const log = options.log ?? (() => {});
  const t = NEURAL_ABSORPTION_TRUTH;
  const data = simulateTransitStudy(options.subjects ?? 20, options.seed ?? 7);
  const replicates = options.replicates ?? 200;
  const binEdges = [0, 0.4, 0.9, 1.7, 2.5, 3.5, 5, 7, 10, 18, 25];

  // First-order absorption, started near a naive guess.
  const fo = oneCompartmentOral();
  const foModel = new PopulationModel({
    theta: { tka: 0, tcl: Math.log(4), tv: Math.log(30) },
    omega: { diagonal: { ka: 0.3, cl: 0.1, v: 0.1 } },
    residual: t.residual,
    individual: { ka: 'exp(tka + eta.ka)', cl: 'exp(tcl + eta.cl)', v: 'exp(tv + eta.v)' },
  });
  // A linear model: the closed form is the fast path (the tests show it equals the ODE path).
  const foSubjects = closedFormSubjects(data, {
    create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
    setParameters: (m, phi) => m.setParameters({ ka: phi[0], cl: phi[1], v: phi[2] }),
    observedCmt: 2,
  });
  const foFit = fitPopulation(foModel, foSubjects, {
    method: 'FOCEI',
    covariance: options.covariance ?? true,
  });
  log(
    `first-order absorption: FOCEI objective ${foFit.objective.toFixed(3)} (${foFit.seconds.toFixed(1)} s)`,
  );

  // Neural absorption: the network starts at 0, i.e. first-order absorption with ka = 1/mtt.
  const setupArgs = {
    subjects: options.subjects ?? 20,
    seed: options.seed ?? 7,
    hidden: options.hidden ?? 6,
  };
  const { model: naModel, subjects: naSubjects, ode: na } = neuralAbsorptionSetup(setupArgs, data);
  const block = na.layout.block('absorption');
  const fitOptions: NeuralPopulationOptions = {
    threads: {
      setup: { url: import.meta.url, export: 'neuralAbsorptionSetup' },
      args: setupArgs,
      threads: options.threads ?? 'auto',
    },
    rounds: options.rounds ?? 2,
    jointIterations: options.jointIterations ?? 100,
    populationIterations: options.populationIterations ?? 40,
    covariance: options.covariance ?? true,
    onRound: (r) =>
      log(
        `neural absorption, round ${r.round}: joint objective ${r.joint.toFixed(3)} after ${r.jointIterations} iterations, FOCEI objective ${r.objective.toFixed(3)} (${r.seconds.toFixed(1)} s)`,
      ),
  };
  return {
    log,
    data,
    replicates,
    binEdges,
    fo,
    foModel,
    foSubjects,
    foFit,
    naModel,
    naSubjects,
    na,
    block,
    fitOptions,
  };
}

/** The report's analyses of a run once the neural fit is done. */
function finishNeuralAbsorption(
  prepared: ReturnType<typeof prepareNeuralAbsorption>,
  naFit: NeuralPopulationFit,
): NeuralAbsorptionResult {
  const {
    data,
    replicates,
    binEdges,
    fo,
    foModel,
    foSubjects,
    foFit,
    naModel,
    naSubjects,
    na,
    block,
  } = prepared;
  const t = NEURAL_ABSORPTION_TRUTH;
  const vpcOptions = { replicates, binEdges, seed: 1 };
  const foVpc = visualPredictiveCheck(foModel, foFit.x, foSubjects, vpcOptions);
  const naVpc = visualPredictiveCheck(naModel, naFit.x, naSubjects, vpcOptions);

  // Absorbed fraction of a typical subject: 1 − depot(τ)/dose.
  const tau = Array.from({ length: 61 }, (_, k) => k * 0.1);
  const depotFraction = (model: typeof fo, p: Float64Array): number[] => {
    const solution = solve(odeProblem({ f: model.f, u0: [1, 0], tspan: [0, 6], p }), 'Vern7', {
      rtol: 1e-10,
      atol: 1e-12,
      saveat: tau,
    }).assertSuccess();
    return tau.map((_, k) => 1 - solution.u[2 * k]);
  };
  const pFo = fo.initialParameters();
  fo.layout.set(pFo, 'ka', Math.exp(foFit.theta.tka));
  const pNa = na.initialParameters();
  na.layout.set(pNa, 'mtt', Math.exp(naFit.theta.tmtt));
  pNa.set(naModel.weights(naFit.x).absorption, block.offset);
  return {
    data,
    firstOrder: { fit: foFit, subjects: foSubjects, vpc: foVpc },
    neural: { fit: naFit, subjects: naSubjects, vpc: naVpc },
    absorbed: {
      tau,
      truth: tau.map((x) => erlangCdf(t.transitCompartments, t.mtt, x)),
      firstOrder: depotFraction(fo, pFo),
      neural: depotFraction(na, pNa),
    },
  };
}

/** Mean and SD of CWRES, and the fraction of |CWRES| > 2, of a fit. */
function cwresSummary(fit: PopulationFit): { mean: number; sd: number; beyond2: number } {
  const values = fit.diagnostics.map((d) => d.cwres);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, beyond2: values.filter((v) => Math.abs(v) > 2).length / values.length };
}

/** Root mean square of the early (absorption-phase, t ≤ 2 h) CWRES. */
function earlyCwresRms(fit: PopulationFit): number {
  const early = fit.diagnostics.filter((d) => d.time <= 2).map((d) => d.cwres);
  return Math.sqrt(early.reduce((s, v) => s + v * v, 0) / early.length);
}

/** The report of a run. */
export function neuralAbsorptionReport(result: NeuralAbsorptionResult): Report {
  const { firstOrder, neural, absorbed } = result;
  const t = NEURAL_ABSORPTION_TRUTH;
  const report = new Report(
    'Neural absorption in population PK',
    `${result.data.length} simulated subjects, single ${t.dose} mg oral dose, ${t.times.length} samples each; absorption through ${t.transitCompartments} transit compartments`,
  );
  report.text(
    `Truth: ${t.transitCompartments} transit compartments with mean transit time ${t.mtt} h, cl ${t.cl} L/h, v ${t.v} L, ω² mtt/cl/v ${t.omega.mtt}/${t.omega.cl}/${t.omega.v}, residual variance ${t.residual.additive}² + ${t.residual.proportional}²·f². ` +
      'Model A: one compartment with first-order absorption, η on ka, cl, v (FOCEI). ' +
      'Model B: the absorption rate ka(t) = exp(nn(log(1 + t/mtt)))/mtt with a one-hidden-layer tanh network ' +
      `(${neural.fit.model.weightBlocks[0].size} weights), η on mtt, cl, v; the weights are fixed effects estimated by joint steps alternating with FOCEI (fitNeuralPopulation). Both objectives are FOCEI objectives at the estimates.`,
  );
  const a = cwresSummary(firstOrder.fit);
  const b = cwresSummary(neural.fit);
  report.table({
    caption: 'First-order vs neural absorption',
    columns: ['quantity', 'A: first order', 'B: neural'],
    rows: [
      [
        'FOCEI objective (NONMEM convention)',
        firstOrder.fit.objective.toFixed(3),
        neural.fit.objective.toFixed(3),
      ],
      ['estimated parameters k', firstOrder.fit.parameterCount, neural.fit.parameterCount],
      ['AIC', firstOrder.fit.aic.toFixed(2), neural.fit.aic.toFixed(2)],
      ['BIC', firstOrder.fit.bic.toFixed(2), neural.fit.bic.toFixed(2)],
      [
        'CWRES mean / SD',
        `${a.mean.toFixed(3)} / ${a.sd.toFixed(3)}`,
        `${b.mean.toFixed(3)} / ${b.sd.toFixed(3)}`,
      ],
      ['|CWRES| > 2', `${(100 * a.beyond2).toFixed(1)} %`, `${(100 * b.beyond2).toFixed(1)} %`],
      [
        'RMS CWRES for t ≤ 2 h',
        earlyCwresRms(firstOrder.fit).toFixed(3),
        earlyCwresRms(neural.fit).toFixed(3),
      ],
      [
        'ε shrinkage',
        `${(100 * firstOrder.fit.epsilonShrinkage).toFixed(1)} %`,
        `${(100 * neural.fit.epsilonShrinkage).toFixed(1)} %`,
      ],
      ['fit time', `${firstOrder.fit.seconds.toFixed(1)} s`, `${neural.fit.seconds.toFixed(1)} s`],
    ],
  });
  report.table({
    caption: 'Neural fit rounds (joint step, then FOCEI with the weights fixed)',
    columns: ['round', 'joint objective', 'joint iterations', 'FOCEI objective', 'seconds'],
    rows: neural.fit.rounds.map((r) => [
      r.round,
      r.joint.toFixed(3),
      r.jointIterations,
      r.objective.toFixed(3),
      r.seconds.toFixed(1),
    ]),
  });
  report.chart({
    title: 'Fraction of the dose absorbed, typical subject',
    traces: [
      {
        x: absorbed.tau,
        y: absorbed.truth,
        name: `truth (${t.transitCompartments} transit compartments)`,
        color: '#444',
      },
      {
        x: absorbed.tau,
        y: absorbed.firstOrder,
        name: 'A: first order',
        color: '#1f77b4',
        dash: 'dash',
      },
      { x: absorbed.tau, y: absorbed.neural, name: 'B: neural', color: '#d62728' },
    ],
    x: { title: 'time since dose (h)' },
    y: { title: 'fraction absorbed' },
  });
  report.heading('A: first-order absorption', 2);
  addPopulationSections(report, firstOrder.fit, firstOrder.subjects, firstOrder.vpc);
  report.heading('B: neural absorption', 2);
  addPopulationSections(report, neural.fit, neural.subjects, neural.vpc);
  return report;
}

/** The command line (`--help` prints it). */
export const NEURAL_ABSORPTION_CLI = {
  script: 'examples/neural-absorption.ts',
  summary:
    'Simulates a population with transit-compartment absorption, fits first-order absorption\n' +
    'and a neural absorption model (FOCEI) and compares them; writes\n' +
    'reports/neural-absorption.html.',
  flags: {
    subjects: { kind: 'integer', min: 2, default: 20, value: 'N', help: 'simulated subjects' },
    threads: {
      kind: 'threads',
      default: 'auto',
      value: 'T',
      help: 'threads of the FOCEI steps, auto for every core',
    },
    ...checkpointFlags('reports/neural-absorption.ckpt.json'),
  },
} as const;

// Worker threads import this module too (for neuralAbsorptionSetup) and see the same argv: only
// the main thread runs the script.
if (isMainThread && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Flags are checked (and --help answered) before anything runs.
  const args = exampleArguments(NEURAL_ABSORPTION_CLI);
  const { subjects, threads, resume } = args;
  await runExample(async () => {
    const result = await runNeuralAbsorptionAsync({
      subjects,
      log: (line) => console.log(line),
      threads,
      checkpoint: {
        path: args.checkpoint ?? 'reports/neural-absorption.ckpt.json',
        everySeconds: args['checkpoint-every'],
      },
      ...(resume === undefined ? {} : { resume: loadNeuralFitCheckpoint(resume) }),
    });
    if ('reason' in result) exitInterrupted(result, 'examples/neural-absorption.ts');
    const { firstOrder, neural } = result;
    console.log(
      `objective: first order ${firstOrder.fit.objective.toFixed(3)}, neural ${neural.fit.objective.toFixed(3)} (Δ ${(firstOrder.fit.objective - neural.fit.objective).toFixed(1)}); AIC ${firstOrder.fit.aic.toFixed(1)} vs ${neural.fit.aic.toFixed(1)}`,
    );
    console.log(
      `report: ${neuralAbsorptionReport(result).write('reports/neural-absorption.html')}`,
    );
  });
}
