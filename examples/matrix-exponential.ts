/**
 * The seed example (after SimpleChains.jl): learn X ↦ vec(exp(reshape(X, 2, 2))) for 2×2
 * matrices with standard-normal entries — 10,000 training and 10,000 test matrices, a 4–32–16–4
 * network (tanh, tanh, identity), full-batch Adam (η = 1e-3), float32. `--help` lists the flags.
 *
 *   node --import tsx examples/matrix-exponential.ts [--epochs N] [--train N] [--test N] [--seed S]
 *     [--out DIR] [--checkpoint FILE] [--checkpoint-every SECONDS] [--resume FILE]
 *
 * Prints train and test MSE and writes DIR/matrix-exponential.html (loss curves, predicted vs
 * true) and the fitted parameters as JSON next to it (DIR defaults to reports). Training
 * writes a checkpoint (DIR/matrix-exponential.checkpoint.json) every 60 s and on Ctrl-C or
 * SIGTERM, then exits 130/143 printing the command that resumes it bit-exactly (`--resume`).
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { checkpointFlags, exampleArguments, exitInterrupted, runExample } from './cli.ts';
import {
  adam,
  chain,
  dense,
  matrixExponentialData,
  median,
  meanSquaredError,
  parameters,
  Report,
  supervisedObjective,
  trainSupervised,
  trainSupervisedAsync,
  type FloatArray,
  type TrainResult,
  type TrainSupervisedOptions,
} from '../src/index.ts';
import { loadCheckpoint } from '../src/training/checkpoint.ts';
import { saveParameters } from '../src/parameters/parameter-file.ts';
import {
  type CheckpointFileOptions,
  type EpochRecord,
  type ProgressSetting,
  type TrainingCheckpoint,
} from '../src/training/index.ts';
import { type KernelChoice } from '../src/nn/index.ts';
import { type ThreadChoice } from '../src/parallel/index.ts';

/** Settings of one run of the protocol. */
export interface MatrixExponentialOptions {
  epochs: number;
  trainSize?: number;
  testSize?: number;
  seed?: number;
  learningRate?: number;
  /** Evaluate the test loss this many times over the run (default 100). */
  testEvaluations?: number;
  progress?: ProgressSetting;
  /** Kernels of the batched products (default 'auto': WebAssembly SIMD where available). */
  kernels?: KernelChoice;
  /** Threads splitting each batch (default 'auto': every core for this problem's size). */
  threads?: ThreadChoice;
  /** Write checkpoints to a file (and, with the async runner, on SIGINT/SIGTERM). */
  checkpoint?: CheckpointFileOptions;
  /** Continue from a checkpoint of a run with the same options (`epochs` is the total). */
  resume?: TrainingCheckpoint;
}

/** What a run produces. */
export interface MatrixExponentialResult {
  readonly theta: FloatArray;
  readonly history: EpochRecord[];
  readonly trainMse: number;
  readonly testMse: number;
  readonly initialTrainMse: number;
  /**
   * Median time of one training epoch (forward, loss, pullback, Adam step), over the epochs
   * after the first 100 (JIT warm-up) that had no test evaluation — over every epoch run when
   * there are none such; NaN when no epoch ran.
   */
  readonly msPerEpoch: number;
  readonly paramCount: number;
  readonly predictions: FloatArray;
  readonly testTargets: FloatArray;
  readonly options: Required<
    Omit<MatrixExponentialOptions, 'progress' | 'kernels' | 'threads' | 'checkpoint' | 'resume'>
  >;
  /** Threads the training objective used. */
  readonly threads: number;
  /** How training ended, and where its checkpoint is (with `checkpoint`). */
  readonly run: TrainResult;
}

/** The network of the protocol: 4–32–16–4, tanh, tanh, identity. */
export const matrixExponentialNetwork = () =>
  chain(4, dense(32, 'tanh'), dense(16, 'tanh'), dense(4));

/** Runs the protocol (data, network, full-batch Adam in float32). */
export function trainMatrixExponential(options: MatrixExponentialOptions): MatrixExponentialResult {
  const p = prepare(options);
  return p.result(trainSupervised(p.objective, p.theta, p.training));
}

/**
 * The protocol with the event loop running between slices of training, so SIGINT and SIGTERM
 * stop it with a checkpoint (when `checkpoint` is given); bit-identical to
 * {@link trainMatrixExponential}.
 */
export async function trainMatrixExponentialAsync(
  options: MatrixExponentialOptions,
): Promise<MatrixExponentialResult> {
  const p = prepare(options);
  return p.result(await trainSupervisedAsync(p.objective, p.theta, p.training));
}

/** Data, network, objectives and training options of a run. */
function prepare(options: MatrixExponentialOptions) {
  const o = {
    epochs: options.epochs,
    trainSize: options.trainSize ?? 10_000,
    testSize: options.testSize ?? 10_000,
    seed: options.seed ?? 1,
    learningRate: options.learningRate ?? 1e-3,
    testEvaluations: options.testEvaluations ?? 100,
  };
  const train = matrixExponentialData(o.trainSize, o.seed, 'float32');
  const test = matrixExponentialData(o.testSize, o.seed + 1_000_003, 'float32');
  const net = matrixExponentialNetwork();
  const layout = parameters({ net });
  const theta = layout.initial({ seed: o.seed, dtype: 'float32' });
  const trainObjective = supervisedObjective({
    model: net,
    loss: meanSquaredError,
    x: train.x,
    y: train.y,
    kernels: options.kernels ?? 'auto',
    threads: options.threads ?? 'auto',
  });
  const testObjective = supervisedObjective({
    model: net,
    loss: meanSquaredError,
    x: test.x,
    y: test.y,
    kernels: options.kernels ?? 'auto',
    threads: options.threads ?? 'auto',
  });
  const initialTrainMse = trainObjective.value(theta);
  const epochTimes: number[] = [];
  /** Every epoch's time: the fallback of a run too short for the filtered ones. */
  const allTimes: number[] = [];
  let last = performance.now();
  // `epochs` is the protocol's total: a resumed run does what is left.
  const done = options.resume?.epoch ?? 0;
  const training: TrainSupervisedOptions = {
    epochs: Math.max(0, o.epochs - done),
    optimizer: adam({ learningRate: o.learningRate }),
    validation: testObjective,
    validationEvery: Math.max(1, Math.floor(o.epochs / o.testEvaluations)),
    progress: options.progress ?? 'auto',
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
    onEpoch: (info) => {
      const now = performance.now();
      allTimes.push(now - last);
      if (info.epoch > Math.min(100, o.epochs >> 2) && info.validationLoss === undefined)
        epochTimes.push(now - last);
      last = now;
    },
  };
  const result = (run: TrainResult): MatrixExponentialResult => ({
    theta,
    history: run.history,
    trainMse: trainObjective.value(theta),
    testMse: testObjective.value(theta),
    initialTrainMse,
    // A short run may have no epoch past the warm-up without a test evaluation (`--epochs 1`
    // printed "NaN ms/epoch"): then every epoch counts; none run (a finished checkpoint
    // resumed) gives NaN, which the command line reports as such.
    msPerEpoch:
      epochTimes.length > 0 ? median(epochTimes) : allTimes.length > 0 ? median(allTimes) : NaN,
    paramCount: net.paramCount,
    predictions: testObjective.predict(theta, new Float32Array(4 * o.testSize)),
    testTargets: test.y,
    options: o,
    threads: trainObjective.threads,
    run,
  });
  return { objective: trainObjective, theta, training, result };
}

/** The HTML report of a run. */
export function matrixExponentialReport(r: MatrixExponentialResult): Report {
  const report = new Report(
    'Learning the 2×2 matrix exponential',
    `4–32–16–4 tanh network, full-batch Adam (η = ${r.options.learningRate}), float32, ${r.options.trainSize} training / ${r.options.testSize} test matrices, seed ${r.options.seed}`,
  );
  report.text(
    'Inputs are 2×2 matrices with independent standard-normal entries; targets are their exact exponentials ' +
      '(closed form), vectorised column-major as in Julia. The protocol follows the SimpleChains.jl example.',
  );
  report.table({
    columns: ['quantity', 'value'],
    rows: [
      ['epochs', r.options.epochs],
      ['parameters', r.paramCount],
      ['initial training MSE', r.initialTrainMse],
      ['final training MSE', r.trainMse],
      ['final test MSE', r.testMse],
      ['ms per epoch, median (forward, loss, pullback, Adam)', r.msPerEpoch],
      ['threads', r.threads],
    ],
  });
  const epochs = r.history.map((h) => h.epoch);
  const tested = r.history.filter((h) => h.validationLoss !== undefined);
  report.chart({
    title: 'Loss (mean squared error)',
    traces: [
      { x: epochs, y: r.history.map((h) => h.loss), name: 'training' },
      {
        x: tested.map((h) => h.epoch),
        y: tested.map((h) => h.validationLoss ?? NaN),
        name: 'test',
        mode: 'lines+markers',
        markerSize: 3,
      },
    ],
    x: { title: 'epoch' },
    y: { title: 'MSE', log: true },
  });
  const shown = Math.min(1000, r.options.testSize);
  const names = ['exp(X)₁₁', 'exp(X)₂₁', 'exp(X)₁₂', 'exp(X)₂₂'];
  let lo = Infinity;
  let hi = -Infinity;
  const traces = names.map((name, k) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let s = 0; s < shown; s++) {
      x.push(r.testTargets[4 * s + k]);
      y.push(r.predictions[4 * s + k]);
      lo = Math.min(lo, x[s], y[s]);
      hi = Math.max(hi, x[s], y[s]);
    }
    return { x, y, name, mode: 'markers' as const, markerSize: 3, opacity: 0.6 };
  });
  report.chart({
    title: `Predicted vs true entries (first ${shown} test matrices)`,
    traces: [...traces, { x: [lo, hi], y: [lo, hi], name: 'y = x', color: '#444', dash: 'dash' }],
    x: { title: 'true' },
    y: { title: 'predicted' },
    equalAspect: true,
    height: 600,
  });
  return report;
}

/** The command line (`--help` prints it). */
export const MATRIX_EXPONENTIAL_CLI = {
  script: 'examples/matrix-exponential.ts',
  summary:
    'Trains a 4–32–16–4 tanh network to approximate exp(A) of 2×2 matrices, writes the report\n' +
    'to OUT/matrix-exponential.html and the parameters next to it.',
  flags: {
    epochs: { kind: 'integer', min: 1, default: 10_000, value: 'N', help: 'training epochs' },
    train: { kind: 'integer', min: 1, default: 10_000, value: 'N', help: 'training matrices' },
    test: { kind: 'integer', min: 1, default: 10_000, value: 'N', help: 'test matrices' },
    seed: { kind: 'integer', min: 0, default: 1, value: 'S', help: 'seed of data and weights' },
    out: { kind: 'string', default: 'reports', value: 'DIR', help: 'where reports go' },
    ...checkpointFlags('OUT/matrix-exponential.checkpoint.json'),
  },
} as const;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Flags are checked (and --help answered) before anything runs.
  const args = exampleArguments(MATRIX_EXPONENTIAL_CLI);
  // The whole protocol (10,000 epochs): about 7 s on two cores of the reference machine.
  const { epochs, out, resume } = args;
  await runExample(async () => {
    const result = await trainMatrixExponentialAsync({
      epochs,
      trainSize: args.train,
      testSize: args.test,
      seed: args.seed,
      checkpoint: {
        path: args.checkpoint ?? join(out, 'matrix-exponential.checkpoint.json'),
        everySeconds: args['checkpoint-every'],
      },
      ...(resume ? { resume: loadCheckpoint(resume) } : {}),
    });
    if (result.run.reason === 'Interrupted')
      exitInterrupted(result.run, 'examples/matrix-exponential.ts');
    console.log(
      `epochs ${epochs}: train MSE ${result.trainMse.toPrecision(4)}, test MSE ${result.testMse.toPrecision(4)} (started at ${result.initialTrainMse.toPrecision(4)}), ${Number.isFinite(result.msPerEpoch) ? `${result.msPerEpoch.toFixed(1)} ms/epoch` : 'no epoch run here'} on ${result.threads} thread(s)`,
    );
    const path = matrixExponentialReport(result).write(join(out, 'matrix-exponential.html'));
    saveParameters(
      join(out, 'matrix-exponential.parameters.json'),
      parameters({ net: matrixExponentialNetwork() }),
      result.theta,
    );
    console.log(`report: ${path}`);
  });
}
