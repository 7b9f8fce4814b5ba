/**
 * The training loop for supervised objectives: full-batch or shuffled mini-batches (seeded),
 * a first-order optimizer, per-epoch callbacks, validation, early stopping, a terminal progress
 * bar, a bounded history, and checkpoints that resume bit-exactly — taken on request, written
 * to a file every so many epochs or seconds, and (with {@link trainSupervisedAsync}) on SIGINT
 * or SIGTERM.
 */
import { ScichainError, requireInteger } from '../core/errors.ts';
import { arrayType, dtypeOf, type FloatArray } from '../core/dtype.ts';
import { adam } from '../optim/adam.ts';
import type { FirstOrderOptimizer } from '../optim/optimizer.ts';
import { encodeExact } from '../parameters/exact-numbers.ts';
import { child } from '../parameters/json-fields.ts';
import { Rng } from '../core/rng.ts';
import {
  CHECKPOINT_VERSION,
  checkCheckpoint,
  checkpointSource,
  saveCheckpoint,
  type TrainingCheckpoint,
} from './checkpoint.ts';
import { EarlyStopping, type EarlyStoppingOptions } from '../optim/early-stopping.ts';
import { EpochHistory, type EpochRecord } from './epoch-history.ts';
import { ProgressBar, type ProgressSetting } from '../optim/progress.ts';
import { checkCheckpointOptions } from '../io/checkpoint-file.ts';
import { nextTurn } from '../io/event-loop.ts';
import { SignalWatch } from '../io/signals.ts';
import type { SupervisedObjective } from './supervised-objective.ts';

export type { TrainingCheckpoint } from './checkpoint.ts';
export type { EpochRecord } from './epoch-history.ts';

/** What `onEpoch` receives. */
export interface EpochInfo extends EpochRecord {
  /** The live θ. */
  readonly theta: FloatArray;
  /**
   * A checkpoint of the state after this epoch — including this epoch's early-stopping
   * update, so a run resumed from it stops where the uninterrupted run stops.
   */
  checkpoint(): TrainingCheckpoint;
}

/** Writing checkpoints to a file while training. */
export interface CheckpointFileOptions {
  /** The checkpoint file (written atomically: temporary file, fsync, rename). */
  path: string;
  /** Write after every this many epochs. */
  everyEpochs?: number;
  /**
   * Write when this many seconds have passed since the last write (checked after each epoch).
   * Default 60 when `everyEpochs` is not given.
   */
  everySeconds?: number;
  /**
   * {@link trainSupervisedAsync} only: on SIGINT or SIGTERM finish the current epoch, write the
   * checkpoint and return with reason `'Interrupted'` (default true). A second signal, more than a
   * second after the first, ends the process at once (one Ctrl-C often arrives twice).
   */
  onSignal?: boolean;
}

/** Options of {@link trainSupervised}. */
export interface TrainSupervisedOptions {
  /** Number of epochs (passes over the data) to run — after the checkpoint's, when resuming. */
  epochs: number;
  /** Optimizer (default Adam with η = 1e-3). */
  optimizer?: FirstOrderOptimizer;
  /**
   * Samples per step. Default (and any value ≥ n): full batch, evaluated by the objective in
   * chunks of its own batchSize. Below n: shuffled mini-batches of at most the objective's
   * batchSize (its workspace capacity).
   */
  batchSize?: number;
  /** Shuffle samples each epoch (default: true for mini-batches). */
  shuffle?: boolean;
  /** Seed of shuffling and of dropout masks (default 0). */
  seed?: number;
  /** Objective on held-out data, evaluated after every `validationEvery`-th epoch (default 1). */
  validation?: SupervisedObjective<unknown>;
  validationEvery?: number;
  /** Early stopping on the validation loss (or the training loss without validation data). */
  earlyStopping?: EarlyStoppingOptions;
  /** Called after each epoch (every epoch, whatever the history keeps); return `'stop'` to stop. */
  onEpoch?: (info: EpochInfo) => void | 'stop';
  /** Frozen mask (1 = frozen). */
  frozen?: Uint8Array | null;
  /**
   * Continue from a checkpoint (θ is overwritten with the checkpoint's). Every field is checked
   * first; a bad one is an error naming it (and the file, for `loadCheckpoint`'s result).
   */
  resume?: TrainingCheckpoint;
  /** Write checkpoints to a file during training (and at its end). */
  checkpoint?: CheckpointFileOptions;
  /**
   * Most epoch records kept in `history` (default 10,000; at least 16). Longer runs keep a
   * thinned history spanning the whole run (see `EpochHistory`); stream every epoch with
   * `onEpoch`.
   */
  historyLimit?: number;
  /** Terminal progress bar (default 'auto'). */
  progress?: ProgressSetting;
}

/** Outcome of {@link trainSupervised}. */
export interface TrainResult {
  readonly theta: FloatArray;
  /** Epochs completed in total (including those before a resume). */
  readonly epochs: number;
  /**
   * Epoch records, including those before a resume, bounded by `historyLimit` (thinned when
   * the run was longer: always the first, the latest and the best epochs).
   */
  readonly history: EpochRecord[];
  readonly reason: 'Epochs' | 'EarlyStopping' | 'Callback' | 'Interrupted';
  /**
   * With early stopping: the number of epochs completed when the best θ was reached (for
   * full-batch training monitored on the training loss, that loss is recorded under the next
   * epoch, since it is measured before that epoch's step).
   */
  readonly bestEpoch?: number;
  /** The signal that interrupted the run (reason `'Interrupted'`). */
  readonly signal?: 'SIGINT' | 'SIGTERM';
  /** The checkpoint file last written (with `checkpoint.path`). */
  readonly checkpointPath?: string;
}

export { signalExitCode } from '../io/signals.ts';

/** Mixes the run seed and an epoch into a 32-bit seed for that epoch's dropout masks. */
function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0;
}

/**
 * One training run as a state machine: `epoch()` runs one epoch and says whether to go on, so
 * the synchronous loop and the asynchronous one (which yields to the event loop so signals are
 * seen) share every line that touches θ.
 */
class SupervisedRun<T> {
  private readonly n: number;
  private readonly batchSize: number;
  private readonly fullBatch: boolean;
  private readonly shuffle: boolean;
  private readonly sumLoss: boolean;
  private readonly optimizer: FirstOrderOptimizer;
  private readonly validationEvery: number;
  private readonly stopper: EarlyStopping | null;
  private readonly history: EpochHistory;
  private readonly grad: FloatArray;
  private readonly order: Int32Array;
  private readonly bar: ProgressBar;
  private readonly firstEpoch: number;
  private readonly lastEpoch: number;
  private seed: number;
  private rng: Rng;
  /** Epochs completed. */
  done: number;
  reason: TrainResult['reason'] | null = null;
  signal: 'SIGINT' | 'SIGTERM' | undefined;
  checkpointPath: string | undefined;
  private lastWrite = performance.now();

  private readonly objective: SupervisedObjective<T>;
  private readonly theta: FloatArray;
  private readonly options: TrainSupervisedOptions;

  constructor(
    objective: SupervisedObjective<T>,
    theta: FloatArray,
    options: TrainSupervisedOptions,
  ) {
    this.objective = objective;
    this.theta = theta;
    this.options = options;
    requireInteger(options.epochs, 'epochs', 0);
    const n = objective.n;
    this.n = n;
    const batchSize = Math.min(options.batchSize ?? n, n);
    requireInteger(batchSize, 'batchSize', 1);
    this.batchSize = batchSize;
    this.fullBatch = batchSize === n;
    if (!this.fullBatch && batchSize > objective.batchSize) {
      throw new ScichainError(
        'InvalidArgument',
        `mini-batches of ${batchSize} exceed the objective's batchSize ${objective.batchSize} (its workspace capacity)`,
      );
    }
    const c = options.checkpoint;
    if (c) {
      checkCheckpointOptions(c);
      if (c.everyEpochs !== undefined) requireInteger(c.everyEpochs, 'checkpoint.everyEpochs', 1);
    }
    this.shuffle = options.shuffle ?? !this.fullBatch;
    this.optimizer = options.optimizer ?? adam();
    // A mask given to the optimizer itself stays unless the options give one.
    if (options.frozen !== undefined) this.optimizer.setFrozen(options.frozen);
    this.validationEvery = options.validationEvery ?? 1;
    requireInteger(this.validationEvery, 'validationEvery', 1);
    this.stopper = options.earlyStopping ? new EarlyStopping(options.earlyStopping) : null;
    this.history = new EpochHistory(options.historyLimit);
    this.seed = options.seed ?? 0;
    this.rng = new Rng(this.seed);
    this.done = 0;
    if (options.resume) this.load(options.resume);
    this.firstEpoch = this.done;
    this.lastEpoch = this.done + options.epochs;
    this.grad = new (arrayType(dtypeOf(theta)))(theta.length);
    this.order = new Int32Array(n);
    this.sumLoss = objective.loss.reduction === 'sum';
    this.bar = new ProgressBar(options.epochs, 'training', options.progress ?? 'auto');
    // A checkpoint taken when early stopping had just fired resumes stopped.
    if (this.stopper?.exhausted) this.reason = 'EarlyStopping';
  }

  /** Checks a checkpoint completely, then loads it (nothing changes when it is refused). */
  private load(resume: TrainingCheckpoint): void {
    const theta = this.theta;
    const checked = checkCheckpoint(
      resume,
      { length: theta.length, dtype: dtypeOf(theta) },
      checkpointSource(resume),
    );
    const c = checked.checkpoint;
    this.optimizer.loadState(c.optimizer, child(checked.place, 'optimizer'));
    this.seed = c.seed;
    this.rng = Rng.fromState(c.rng);
    if (this.stopper && c.earlyStopping) {
      const es = c.earlyStopping;
      const best = checked.bestTheta === null ? null : theta.slice();
      if (best !== null && checked.bestTheta !== null) best.set(checked.bestTheta);
      this.stopper.setState(es.bestValue ?? Infinity, es.bestStep, es.sinceBest, best);
    }
    if (checked.records !== null) this.history.load(checked.records, c.history?.stride ?? 1);
    theta.set(checked.theta);
    this.done = c.epoch;
  }

  /** The state after the epochs done (see {@link TrainingCheckpoint}). */
  checkpoint(): TrainingCheckpoint {
    const theta = this.theta;
    return {
      format: 'scichain.training',
      version: CHECKPOINT_VERSION,
      epoch: this.done,
      dtype: dtypeOf(theta),
      theta: encodeExact(theta, (i) => `θ[${i}]`),
      optimizer: this.optimizer.state(),
      seed: this.seed,
      rng: this.rng.state(),
      earlyStopping: this.stopper ? this.stopper.state() : null,
      history: { stride: this.history.stride, records: this.history.records.slice() },
    };
  }

  /** Writes the checkpoint file (when one is configured). */
  writeCheckpoint(): void {
    const c = this.options.checkpoint;
    if (!c) return;
    this.checkpointPath = saveCheckpoint(c.path, this.checkpoint());
    this.lastWrite = performance.now();
  }

  /** Whether every epoch asked for has run. */
  get allDone(): boolean {
    return this.done >= this.lastEpoch;
  }

  /** Runs one epoch; returns false when training is over (`reason` says why). */
  epoch(): boolean {
    if (this.reason !== null) return false;
    if (this.done >= this.lastEpoch) {
      this.reason = 'Epochs';
      return false;
    }
    const { objective, theta, grad, optimizer, stopper, options, n, batchSize } = this;
    const e = this.done;
    objective.training = true;
    objective.reseed(epochSeed(this.seed, e));
    let lossSum = 0;
    if (this.fullBatch) {
      lossSum = objective.valueAndGradient(theta, grad);
      if (!Number.isFinite(lossSum))
        throw new ScichainError('NonFinite', `training loss is ${lossSum} in epoch ${e + 1}`);
      // Without validation data the monitored loss belongs to θ before this step: decide first.
      if (stopper && !options.validation && stopper.update(lossSum, e, theta)) {
        objective.training = false;
        this.reason = 'EarlyStopping'; // no step taken: this epoch is not counted
        return false;
      }
      optimizer.step(theta, grad);
    } else {
      const order = this.order;
      for (let i = 0; i < n; i++) order[i] = i;
      if (this.shuffle) this.rng.shuffle(order);
      for (let start = 0; start < n; start += batchSize) {
        const count = Math.min(batchSize, n - start);
        const loss = objective.batchValueAndGradient(theta, grad, order, start, count);
        if (!Number.isFinite(loss)) {
          throw new ScichainError(
            'NonFinite',
            `training loss is ${loss} in epoch ${e + 1}, mini-batch starting at sample ${start}`,
          );
        }
        lossSum += this.sumLoss ? loss : (loss * count) / n;
        optimizer.step(theta, grad);
      }
    }
    objective.training = false;
    const epoch = e + 1;
    this.done = epoch;
    let validationLoss: number | undefined;
    if (options.validation && epoch % this.validationEvery === 0) {
      validationLoss = options.validation.value(theta);
      // A NaN would enter the history and count as "no improvement" for early stopping.
      if (!Number.isFinite(validationLoss))
        throw new ScichainError(
          'NonFinite',
          `validation loss is ${validationLoss} after epoch ${epoch} (training loss ${lossSum})`,
        );
    }
    const record: EpochRecord =
      validationLoss === undefined
        ? { epoch, loss: lossSum }
        : { epoch, loss: lossSum, validationLoss };
    this.history.push(record);
    if (this.bar.active) {
      const val = validationLoss === undefined ? '' : ` val=${validationLoss.toPrecision(5)}`;
      this.bar.update(epoch - this.firstEpoch, `loss=${lossSum.toPrecision(5)}${val}`);
    }
    // The early-stopping update belongs to this epoch's state: it comes before the callback
    // (and its checkpoint) and before the checkpoint file, so a resumed run stops where an
    // uninterrupted one does.
    const monitored = options.validation ? validationLoss : this.fullBatch ? undefined : lossSum;
    const stop =
      stopper !== null && monitored !== undefined && stopper.update(monitored, epoch, theta);
    if (options.onEpoch?.({ ...record, theta, checkpoint: () => this.checkpoint() }) === 'stop') {
      this.reason = 'Callback';
    } else if (stop) {
      this.reason = 'EarlyStopping';
    }
    const c = options.checkpoint;
    if (
      c &&
      this.reason === null &&
      epoch < this.lastEpoch &&
      ((c.everyEpochs !== undefined && epoch % c.everyEpochs === 0) ||
        ((c.everySeconds !== undefined || c.everyEpochs === undefined) &&
          performance.now() - this.lastWrite >= 1000 * (c.everySeconds ?? 60)))
    ) {
      this.writeCheckpoint();
    }
    return this.reason === null;
  }

  /** Ends the run: writes the last checkpoint, restores the best θ, and reports. */
  finish(): TrainResult {
    this.bar.finish();
    // Each epoch's loss check catches a non-finite θ from the step before it; only the last
    // step is left to check (an overflowing learning rate or resumed optimizer state).
    const theta = this.theta;
    for (let i = 0; i < theta.length; i++) {
      if (!Number.isFinite(theta[i])) {
        throw new ScichainError(
          'NonFinite',
          `θ[${i}] is ${theta[i]} after the optimizer's step in epoch ${this.done} (learning rate ${this.optimizer.learningRate}); the step overflowed`,
        );
      }
    }
    this.writeCheckpoint();
    // The best θ is put back however training ended (epochs run out, callback, early stop),
    // but not when interrupted: the run is to be continued from the live θ.
    if (this.reason !== 'Interrupted') this.stopper?.restore(this.theta);
    const stopper = this.stopper;
    return {
      theta: this.theta,
      epochs: this.done,
      history: this.history.records,
      reason: this.reason ?? 'Epochs',
      ...(stopper ? { bestEpoch: stopper.bestStep } : {}),
      ...(this.signal ? { signal: this.signal } : {}),
      ...(this.checkpointPath ? { checkpointPath: this.checkpointPath } : {}),
    };
  }
}

/** Trains θ in place on a supervised objective. */
export function trainSupervised<T>(
  objective: SupervisedObjective<T>,
  theta: FloatArray,
  options: TrainSupervisedOptions,
): TrainResult {
  const run = new SupervisedRun(objective, theta, options);
  while (run.epoch());
  return run.finish();
}

/** How long the asynchronous loop trains before it lets the event loop run (signals, timers). */
const SLICE_MS = 20;

/**
 * {@link trainSupervised} that lets the event loop run every 20 ms of training, so signals
 * reach it: with `checkpoint.path` set, SIGINT or SIGTERM finishes the current epoch, writes
 * the checkpoint atomically, and resolves with reason `'Interrupted'`, `signal` and
 * `checkpointPath` (a command-line program then exits with
 * {@link scichain/node!signalExitCode}). Results are bit-identical to {@link trainSupervised}'s;
 * resume with `loadCheckpoint(path)`.
 */
export async function trainSupervisedAsync<T>(
  objective: SupervisedObjective<T>,
  theta: FloatArray,
  options: TrainSupervisedOptions,
): Promise<TrainResult> {
  const run = new SupervisedRun(objective, theta, options);
  const signals = new SignalWatch(
    options.checkpoint !== undefined && options.checkpoint.onSignal !== false,
  );
  try {
    let sliceStart = performance.now();
    while (run.epoch()) {
      if (performance.now() - sliceStart >= SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
      if (signals.pending !== undefined && !run.allDone) {
        run.reason = 'Interrupted';
        run.signal = signals.pending;
        break;
      }
    }
    return run.finish();
  } finally {
    signals.dispose();
  }
}
