/**
 * Data parallelism for batched evaluation of a model: the rows of a batch are split into
 * contiguous shares, one per thread (`shareOf`); every thread runs the model's forward and
 * pullback on its rows with its own cache, in one shared arena; the parameter gradients of the
 * worker threads land in per-thread buffers that the calling thread adds to its own in thread
 * order. The split and the order are fixed for a thread count, so the same thread count gives
 * the same bits; different counts differ only in the order of that last sum.
 *
 * Workers rebuild the model from its {@link LayerPlan} (`data-parallel-task.ts`). Inputs,
 * outputs and cotangents must be arena buffers (the workers address them by offset); θ and the
 * gradient may live anywhere — θ is staged into the arena when it is not already there.
 *
 * Given a built-in separable loss, a whole training evaluation is one round
 * ({@link DataParallelModel.lossAndGradient}): every thread runs the forward on its rows, their
 * loss terms and seed, and the pullback, while its activations are still in cache; the calling
 * thread then adds the threads' loss sums and gradients in thread order. Without it, forward and
 * pullback are two rounds with the loss on the calling thread in between.
 */
import { ScichainError } from '../core/errors.ts';
import { isBuiltinLoss } from '../losses/builtin.ts';
import { PartialLoss } from '../losses/elementwise-wasm.ts';
import type { Loss, SeparableLoss } from '../losses/loss.ts';
import { dtypeOf, type DType, type FloatArray } from '../core/dtype.ts';
import { shareCount, shareOf, workerModuleUrl } from '../parallel/task.ts';
import type { ThreadPool } from '../parallel/thread-pool.ts';
import type { Arena, WasmMemory } from '../wasm/arena.ts';
import type { KernelChoice } from '../nn/kernels/kernel-choice.ts';
import type { Layer, LayerCache, LayerPlan } from '../nn/layer.ts';

/** Operations of the worker task. */
export const OP_FORWARD = 1;
export const OP_PULLBACK = 2;
/** Forward, loss terms and seed of the rows, pullback: one round (needs the loss). */
export const OP_LOSS_AND_GRADIENT = 3;

/** Fields of the parameter block the calling thread writes before each operation. */
export const Field = {
  ThetaByte: 0,
  ThetaOffset: 1,
  InputByte: 2,
  Rows: 3,
  OutputByte: 4,
  CotangentByte: 5,
  Training: 6,
  Seed: 7,
  /** Bumped when Training changes; workers apply it at their next forward. */
  ModeVersion: 8,
  /** Bumped by each reseed; workers restart their streams from Seed at their next forward. */
  SeedVersion: 9,
  /** Byte offset of the input cotangent, 0 for none (address 0 never holds a buffer). */
  InputCotangentByte: 10,
  /** Byte offset of the targets (float rows, or int32 labels) for the one-round evaluation. */
  TargetByte: 11,
  /** Rows of the batch whose loss normalizer the one-round evaluation applies. */
  BatchRows: 12,
} as const;
export const FIELDS = 13;

/** float64 scalars of the one-round evaluation: each thread's part of the loss (thread t at `Scalar.Parts + t`). */
export const Scalar = { Parts: 0 } as const;

/** What each worker receives at registration. */
export interface DataParallelArgs {
  plan: LayerPlan;
  memory: WasmMemory;
  dtype: DType;
  /** Batch capacity over all threads. */
  capacity: number;
  kernels: KernelChoice;
  seed: number;
  /** Byte offset of the parameter block. */
  fieldsByte: number;
  /** Byte offset of each worker's gradient buffer (worker w at index w − 1). */
  gradientBytes: number[];
  /** Name of the built-in separable loss of the one-round evaluation, or null. */
  loss: string | null;
  /** Byte offset of the float64 scalars (see {@link Scalar}). */
  scalarsByte: number;
}

/** Options of {@link DataParallelModel}. */
export interface DataParallelOptions {
  pool: ThreadPool;
  /** Shared arena holding the buffers every thread addresses. */
  arena: Arena;
  dtype: DType;
  /** Largest batch (over all threads). */
  capacity: number;
  kernels?: KernelChoice;
  seed?: number;
  /**
   * The loss of the one-round evaluation ({@link DataParallelModel.lossAndGradient}): a built-in
   * loss, which the workers look up by name. Any other loss leaves the model with the two-round
   * forward / pullback only.
   */
  loss?: Loss<never>;
}

/** Drops a model's task from the workers once the model is collected without dispose(). */
const finalizer = new FinalizationRegistry<{ pool: ThreadPool; task: number }>(({ pool, task }) =>
  pool.drop(task),
);

/** A model evaluated by the threads of a pool, each on its share of the rows; see above. */
export class DataParallelModel {
  readonly model: Layer;
  readonly threads: number;
  readonly dtype: DType;
  /** The calling thread's cache (capacity: its share of the largest batch). */
  readonly cache: LayerCache;
  private readonly pool: ThreadPool;
  private readonly arena: Arena;
  private readonly task: number;
  private readonly fields: Int32Array;
  private readonly gradients: FloatArray[];
  private readonly scalars: Float64Array;
  /** The loss of the one-round evaluation, or null. */
  readonly loss: Loss<never> | null;
  /** Its evaluation on this thread's rows (SIMD where it can), or null. */
  private readonly partialLoss: PartialLoss<FloatArray | Int32Array> | null;
  private readonly thetaStage: FloatArray;
  /** θ as used by the last forward (the staged copy or θ itself) and its offset there. */
  private theta: FloatArray;
  private thetaOffset = 0;
  private isTraining = false;
  private disposed = false;
  /** The calling thread's operands, set before each run (so its share needs no new closure). */
  private readonly own: {
    rows: number;
    x: FloatArray;
    y: FloatArray;
    yBar: FloatArray;
    xBar: FloatArray | null;
    grad: FloatArray;
    gradOffset: number;
    target: FloatArray | Int32Array;
  };
  private readonly ownForward = (): void => {
    const o = this.own;
    this.model.forward(this.theta, this.thetaOffset, o.x, o.y, this.cache, o.rows);
  };
  private readonly ownPullback = (): void => {
    const o = this.own;
    const { theta, thetaOffset, cache } = this;
    this.model.vjp(theta, thetaOffset, cache, o.yBar, o.xBar, o.grad, o.gradOffset, o.rows);
  };
  private readonly ownLossAndGradient = (): void => {
    const o = this.own;
    const { theta, thetaOffset, cache, scalars } = this;
    this.model.forward(theta, thetaOffset, o.x, o.y, cache, o.rows);
    this.partialLoss!.evaluate(
      o.y,
      o.target,
      o.rows,
      this.model.outputSize,
      this.fields[Field.BatchRows],
      o.yBar,
      scalars,
      Scalar.Parts,
    );
    this.model.vjp(theta, thetaOffset, cache, o.yBar, null, o.grad, o.gradOffset, o.rows);
  };

  constructor(model: Layer, o: DataParallelOptions) {
    const plan = model.plan?.();
    if (plan === undefined) {
      throw new ScichainError(
        'InvalidArgument',
        `${model.description} cannot run on several threads (some layer has no plan); use threads: 1`,
      );
    }
    if (!o.arena.shared) {
      throw new ScichainError('InvalidArgument', 'data parallelism needs a shared arena');
    }
    this.model = model;
    this.pool = o.pool;
    this.arena = o.arena;
    this.threads = o.pool.threads;
    this.dtype = o.dtype;
    const kernels = o.kernels ?? 'auto';
    const seed = o.seed ?? 0;
    this.cache = model.createCache(o.dtype, shareOf(o.capacity, this.threads, 0).count, {
      allocator: o.arena,
      kernels,
      seed,
    });
    this.fields = o.arena.ints(FIELDS);
    this.gradients = [];
    for (let w = 1; w < this.threads; w++) {
      this.gradients.push(o.arena.floats(o.dtype, Math.max(1, model.paramCount)));
    }
    this.scalars = o.arena.floats('float64', Scalar.Parts + this.threads) as Float64Array;
    this.loss =
      o.loss !== undefined && o.loss.separable !== undefined && isBuiltinLoss(o.loss)
        ? o.loss
        : null;
    this.partialLoss =
      this.loss === null
        ? null
        : new PartialLoss(
            this.loss.separable as SeparableLoss<FloatArray | Int32Array>,
            o.dtype,
            o.arena,
          );
    this.thetaStage = o.arena.floats(o.dtype, Math.max(1, model.paramCount));
    this.theta = this.thetaStage;
    const none = this.thetaStage;
    this.own = {
      rows: 0,
      x: none,
      y: none,
      yBar: none,
      xBar: null,
      grad: none,
      gradOffset: 0,
      target: none,
    };
    const args: DataParallelArgs = {
      plan,
      memory: o.arena.memory,
      dtype: o.dtype,
      capacity: o.capacity,
      kernels,
      seed,
      fieldsByte: this.fields.byteOffset,
      gradientBytes: this.gradients.map((g) => g.byteOffset),
      loss: this.loss === null ? null : this.loss.name,
      scalarsByte: this.scalars.byteOffset,
    };
    this.task = o.pool.register(
      { url: workerModuleUrl('data-parallel-task'), export: 'dataParallelTask' },
      args,
    );
    finalizer.register(this, { pool: o.pool, task: this.task }, this);
  }

  /** Training mode (dropout) on every thread. */
  get training(): boolean {
    return this.isTraining;
  }
  set training(on: boolean) {
    if (on === this.isTraining) return;
    this.isTraining = on;
    this.cache.training = on;
    this.fields[Field.Training] = on ? 1 : 0;
    this.fields[Field.ModeVersion]++;
  }

  /** Restarts every thread's random streams (thread w from seed·1009 + w). */
  reseed(seed: number): void {
    this.cache.reseed?.(seed * 1009);
    this.fields[Field.Seed] = seed;
    this.fields[Field.SeedVersion]++;
  }

  /**
   * y = model(x) for n rows, split over the threads. x and y must be arena buffers. (The
   * signature is the layer protocol's, so callers can hold either; the cache is this object's.)
   */
  forward(
    theta: FloatArray,
    offset: number,
    x: FloatArray,
    y: FloatArray,
    _cache: LayerCache,
    n: number,
  ): void {
    this.setForward(theta, offset, x, y, n);
    this.pool.run(this.task, OP_FORWARD, this.ownForward);
  }

  /**
   * Pullback of the last forward: accumulates the parameter gradient of all n rows into
   * `grad[gradOffset …]` (the calling thread's rows first, then each worker's in order), with θ
   * as the forward used it; the input cotangent too when `xBar` (an arena buffer) is given.
   */
  vjp(
    _theta: FloatArray,
    _offset: number,
    _cache: LayerCache,
    yBar: FloatArray,
    xBar: FloatArray | null,
    grad: FloatArray,
    gradOffset: number,
    n: number,
  ): void {
    if (xBar !== null) this.requireArena(xBar, 'input cotangents');
    this.setPullback(yBar, grad, gradOffset, n);
    this.fields[Field.InputCotangentByte] = xBar === null ? 0 : xBar.byteOffset;
    this.own.xBar = xBar;
    this.pool.run(this.task, OP_PULLBACK, this.ownPullback);
    this.addWorkerGradients(grad, gradOffset, n);
  }

  /**
   * Loss and gradient over n rows in one round (needs the model's `loss`): every thread runs the
   * forward on its rows, writes their predictions to `y`, their part of the loss of a batch of
   * `batchRows` rows (that batch's normalizer: the whole data set's when these n rows are a chunk
   * of it) and their seed to `yBar`, and runs the pullback. The gradient of all rows is
   * accumulated into `grad[gradOffset …]` in thread order, and the threads' parts of the loss,
   * added in thread order, are written to `out[index]`. (Nothing is returned and sizes are
   * integers: a double passed to or returned from a call V8 does not inline is boxed.) x, y,
   * `target` (rows of targets, or labels) and yBar must be arena buffers.
   */
  lossAndGradient(
    theta: FloatArray,
    offset: number,
    x: FloatArray,
    target: FloatArray | Int32Array,
    y: FloatArray,
    yBar: FloatArray,
    grad: FloatArray,
    gradOffset: number,
    n: number,
    batchRows: number,
    out: Float64Array,
    index: number,
  ): void {
    if (this.loss === null) {
      throw new ScichainError(
        'InvalidArgument',
        'this data-parallel model has no built-in separable loss for a one-round evaluation',
      );
    }
    if (!this.arena.owns(target)) {
      throw new ScichainError(
        'InvalidArgument',
        "data-parallel targets must be buffers of the model's shared arena",
      );
    }
    const labels = this.loss.targets === 'labels';
    if (labels ? !(target instanceof Int32Array) : dtypeOf(target as FloatArray) !== this.dtype) {
      throw new ScichainError(
        'ShapeMismatch',
        `data-parallel targets must be ${labels ? 'int32 labels' : `${this.dtype} values`} for ${this.loss.name}`,
      );
    }
    this.setForward(theta, offset, x, y, n);
    this.setPullback(yBar, grad, gradOffset, n);
    this.fields[Field.TargetByte] = target.byteOffset;
    this.fields[Field.BatchRows] = batchRows;
    this.own.target = target;
    this.pool.run(this.task, OP_LOSS_AND_GRADIENT, this.ownLossAndGradient);
    this.addWorkerGradients(grad, gradOffset, n);
    const scalars = this.scalars;
    let total = scalars[Scalar.Parts];
    for (let w = 1; w < this.threads; w++) {
      if (shareCount(n, this.threads, w) > 0) total += scalars[Scalar.Parts + w];
    }
    out[index] = total;
  }

  /** θ, inputs and outputs of a forward pass over n rows, where every thread reads them. */
  private setForward(
    theta: FloatArray,
    offset: number,
    x: FloatArray,
    y: FloatArray,
    n: number,
  ): void {
    this.requireArena(x, 'inputs');
    this.requireArena(y, 'outputs');
    this.stageTheta(theta, offset);
    const f = this.fields;
    f[Field.InputByte] = x.byteOffset;
    f[Field.OutputByte] = y.byteOffset;
    f[Field.Rows] = n;
    const own = this.own;
    own.x = x;
    own.y = y;
    own.rows = shareCount(n, this.threads, 0);
  }

  /** Output cotangents and gradient of a pullback over n rows, where every thread finds them. */
  private setPullback(yBar: FloatArray, grad: FloatArray, gradOffset: number, n: number): void {
    this.requireArena(yBar, 'output cotangents');
    this.fields[Field.CotangentByte] = yBar.byteOffset;
    this.fields[Field.Rows] = n;
    const own = this.own;
    own.yBar = yBar;
    own.grad = grad;
    own.gradOffset = gradOffset;
    own.rows = shareCount(n, this.threads, 0);
  }

  /** θ where every thread can read it: in place when in the arena, else copied to the stage. */
  private stageTheta(theta: FloatArray, offset: number): void {
    if (this.arena.owns(theta)) {
      this.theta = theta;
      this.thetaOffset = offset;
    } else {
      const stage = this.thetaStage;
      for (let i = 0; i < this.model.paramCount; i++) stage[i] = theta[offset + i];
      this.theta = stage;
      this.thetaOffset = 0;
    }
    this.fields[Field.ThetaByte] = this.theta.byteOffset;
    this.fields[Field.ThetaOffset] = this.thetaOffset;
  }

  /** Adds the workers' gradients (of the last pullback over n rows) in thread order. */
  private addWorkerGradients(grad: FloatArray, gradOffset: number, n: number): void {
    const p = this.model.paramCount;
    for (let w = 1; w < this.threads; w++) {
      if (shareCount(n, this.threads, w) === 0) continue;
      const g = this.gradients[w - 1];
      for (let i = 0; i < p; i++) grad[gradOffset + i] += g[i];
    }
  }

  /** Releases the workers' copies of the model (the arena stays with its owner). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    finalizer.unregister(this);
    this.pool.drop(this.task);
  }

  private requireArena(view: FloatArray, what: string): void {
    if (!this.arena.owns(view)) {
      throw new ScichainError(
        'InvalidArgument',
        `data-parallel ${what} must be buffers of the model's shared arena`,
      );
    }
  }
}
