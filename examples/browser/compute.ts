/**
 * What the browser demo computes, as plain library calls that run the same in a Web Worker and
 * in Node (the Chromium test and the bench compare the two): the matrix-exponential network
 * trained by full-batch Adam in float32, and the Theophylline population model fitted to the
 * bundled data. Imports nothing from Node.
 */
import {
  adam,
  chain,
  dense,
  fitPopulation,
  matrixExponentialData,
  meanSquaredError,
  median,
  parameters,
  PopulationModel,
  readNonmemData,
  supervisedObjective,
  trainSupervised,
  type ThreadPool,
} from '../../src/index.ts';
import type { PopulationSubject } from '../../src/pharmacometrics/index.ts';
import type { DemoSettings } from './settings.ts';
import { theophyllineClosedFormSubjects, theophyllineModel } from '../../models/theophylline.ts';

export { theophyllineModel };

export { DEMO_DEFAULTS, settingsFromQuery, type DemoSettings } from './settings.ts';

/** The network of the protocol: 4–32–16–4, tanh, tanh, identity. */
export const demoNetwork = () => chain(4, dense(32, 'tanh'), dense(16, 'tanh'), dense(4));

/** Outcome of {@link trainNetwork}. */
export interface TrainingOutcome {
  /** Training loss (MSE) before each epoch's step, one per epoch. */
  losses: number[];
  /** Training MSE at the final θ. */
  finalLoss: number;
  /** Median ms per epoch after the first tenth (JIT warm-up). */
  msPerEpoch: number;
  /** Threads the objective ran on. */
  threads: number;
  paramCount: number;
}

/**
 * Trains the matrix-exponential network (float32, full-batch Adam η = 1e-3, seed `seed`) on
 * `train` matrices for `epochs` epochs, on `pool`'s threads (one thread without a pool).
 * `onEpoch` gets each epoch's loss (for a live chart).
 */
export function trainNetwork(
  settings: Pick<DemoSettings, 'epochs' | 'train' | 'seed'>,
  pool: ThreadPool | undefined,
  onEpoch?: (epoch: number, loss: number) => void,
): TrainingOutcome {
  const data = matrixExponentialData(settings.train, settings.seed, 'float32');
  const net = demoNetwork();
  const layout = parameters({ net });
  const theta = layout.initial({ seed: settings.seed, dtype: 'float32' });
  const objective = supervisedObjective({
    model: net,
    loss: meanSquaredError,
    x: data.x,
    y: data.y,
    ...(pool === undefined ? { threads: 1 } : { pool }),
  });
  const losses: number[] = [];
  const times: number[] = [];
  let last = performance.now();
  try {
    trainSupervised(objective, theta, {
      epochs: settings.epochs,
      optimizer: adam({ learningRate: 1e-3 }),
      progress: false,
      onEpoch: (info) => {
        const now = performance.now();
        if (info.epoch > settings.epochs / 10) times.push(now - last);
        last = now;
        losses.push(info.loss);
        onEpoch?.(info.epoch, info.loss);
      },
    });
    return {
      losses,
      finalLoss: objective.value(theta),
      msPerEpoch: median(times),
      threads: objective.threads,
      paramCount: net.paramCount,
    };
  } finally {
    objective.dispose();
  }
}

/** The first `count` subjects of the CSV text, predicted by the library's closed form. */
export function theophyllineSubjects(csv: string, count: number): PopulationSubject[] {
  const records = readNonmemData(csv, { compartments: 2 }).subjects.slice(0, count);
  return theophyllineClosedFormSubjects(records);
}

/**
 * The setup the pool's workers run to rebuild the model and subjects (registered on them as the
 * worker module `demo-theophylline`).
 */
export function theophyllineSetup(args: { csv: string; subjects: number }): {
  model: PopulationModel;
  subjects: PopulationSubject[];
} {
  return { model: theophyllineModel(), subjects: theophyllineSubjects(args.csv, args.subjects) };
}

/** Outcome of {@link fitTheophylline}. */
export interface FitOutcome {
  objective: number;
  iterations: number;
  /** Natural-scale estimates by name (tka, tcl, tv, ω², sd…). */
  estimates: Record<string, number>;
  /** Observed and population/individual predictions, for the observed-vs-predicted chart. */
  dv: number[];
  pred: number[];
  ipred: number[];
  seconds: number;
  threads: number;
}

/**
 * Where the pool's workers find {@link theophyllineSetup}: in the browser demo the worker module
 * its pool entry registers (pool-worker.ts); under Node this file, by URL.
 */
export const BROWSER_SETUP_URL = 'scichain:demo-theophylline';
/** This module's URL (for Node workers, which import the setup from it). */
export const COMPUTE_MODULE_URL = import.meta.url;

/**
 * Fits the model to the first `subjects` subjects of `csv` by `method`, on `pool`'s threads
 * (each worker rebuilds the model and subjects by {@link theophyllineSetup}, found at
 * `setupUrl`).
 */
export function fitTheophylline(
  csv: string,
  settings: Pick<DemoSettings, 'subjects' | 'method'>,
  pool: ThreadPool | undefined,
  setupUrl = BROWSER_SETUP_URL,
): FitOutcome {
  const started = performance.now();
  const model = theophyllineModel();
  const subjects = theophyllineSubjects(csv, settings.subjects);
  const fit = fitPopulation(model, subjects, {
    method: settings.method,
    ...(pool === undefined
      ? {}
      : {
          threads: {
            setup: { url: setupUrl, export: 'theophyllineSetup' },
            args: { csv, subjects: settings.subjects },
            pool,
          },
        }),
  });
  const estimates: Record<string, number> = {};
  for (const e of fit.estimates) estimates[e.name] = e.value;
  return {
    objective: fit.objective,
    iterations: fit.iterations,
    estimates,
    dv: fit.diagnostics.map((d) => d.dv),
    pred: fit.diagnostics.map((d) => d.pred),
    ipred: fit.diagnostics.map((d) => d.ipred),
    seconds: (performance.now() - started) / 1000,
    threads: pool?.threads ?? 1,
  };
}
