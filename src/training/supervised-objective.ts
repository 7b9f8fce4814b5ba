/**
 * A supervised objective: a model, a loss and a data set, evaluated as loss and gradient in one
 * pass (forward, loss seed, pullback) into the caller's gradient vector. Data are validated once
 * here — non-finite entries are reported by row and column — so the hot loop needs no checks.
 */
import type { Objective } from '../core/objective.ts';
import { ScichainError, requireFiniteMatrix, requireInteger } from '../core/errors.ts';
import { PartialLoss } from '../losses/elementwise-wasm.ts';
import { checkLoss } from '../losses/builtin.ts';
import type { Loss } from '../losses/loss.ts';
import type { Penalty } from '../losses/penalties.ts';
import { heapAllocator, type Allocator } from '../core/allocator.ts';
import { dtypeOf, type DType, type FloatArray } from '../core/dtype.ts';
import { toRowMajor, type MatrixInput } from '../core/matrix.ts';
import type { KernelChoice } from '../nn/kernels/kernel-choice.ts';
import { Arena } from '../wasm/arena.ts';
import { wasmFeatures } from '../wasm/features.ts';
import type { Layer, LayerCache } from '../nn/layer.ts';
import { DataParallelModel } from './data-parallel.ts';
import { chooseThreads, type ThreadChoice } from '../parallel/thread-choice.ts';
import { sharedThreadPool, type ThreadPool } from '../parallel/thread-pool.ts';

/** Targets: a matrix of values (regression) or one class label per sample. */
export type Targets = MatrixInput | ArrayLike<number>;

/** Options of {@link supervisedObjective}. */
export interface SupervisedOptions<T> {
  /** The model (a chain or any layer). */
  model: Layer;
  /** The loss; its `reduction` decides how chunks of the data combine. */
  loss: Loss<T>;
  /** Inputs, n × model.inputSize. */
  x: MatrixInput;
  /** Targets: n × model.outputSize values, or n labels for a `labels` loss. */
  y: Targets;
  /** Element type of θ and of the computation (default: x's dtype, else float64). */
  dtype?: DType;
  /** Where the model's parameters start in θ (default 0). */
  offset?: number;
  /** Penalty on θ added to the loss. */
  penalty?: Penalty;
  /** Largest batch evaluated at once (workspace capacity); default: every sample. */
  batchSize?: number;
  /** Seed of the model's own randomness (dropout); default 0. */
  seed?: number;
  /**
   * Kernels of the model's batched products (default `'auto'`: WebAssembly SIMD for batches
   * where it was measured to win). With WebAssembly kernels the data, predictions and loss
   * seeds are kept in the model's arena too, so nothing is staged per evaluation.
   */
  kernels?: KernelChoice;
  /**
   * Threads evaluating each batch (default `'auto'`: every core once a batch has at least
   * `THREADS_MIN_ROWS` rows and `THREADS_MIN_MULTIPLY_ADDS` multiply-adds and the model can be
   * rebuilt on workers; else 1).
   * Rows are split into fixed contiguous shares and the gradients summed in thread order, so
   * the same thread count gives the same bits. `1` never starts a worker.
   */
  threads?: ThreadChoice;
  /** The pool to run on (default: the process-wide pool of that many threads). */
  pool?: ThreadPool;
}

/** Slots of the objective's running sums. */
const Sum = { Total: 0, Chunk: 1 } as const;

function inferDtype(x: MatrixInput): DType {
  if (x instanceof Float32Array) return 'float32';
  if (x instanceof Float64Array) return 'float64';
  const data = (x as { data?: unknown }).data;
  return data instanceof Float32Array ? 'float32' : 'float64';
}

/** Loss and gradient of a model over a data set; see {@link supervisedObjective}. */
export class SupervisedObjective<T> implements Objective {
  readonly model: Layer;
  readonly loss: Loss<T>;
  readonly dtype: DType;
  /** Number of samples. */
  readonly n: number;
  readonly offset: number;
  readonly penalty: Penalty | null;
  /** Workspace capacity. */
  readonly batchSize: number;
  private readonly x: FloatArray;
  /** Where buffers live: the model's WebAssembly arena when it has one, else the heap. */
  private readonly allocator: Allocator;
  /**
   * The WebAssembly memory of the model's kernels, or null on the TypeScript path. Allocate θ
   * and the gradient here (`objective.arena.floats(…)`) and the kernels read and write them in
   * place; θ elsewhere works too, staged through the arena per evaluation.
   */
  readonly arena: Arena | null;
  private y: FloatArray | Int32Array;
  private readonly targetWidth: number;
  private readonly cache: LayerCache;
  /** The threads' split of each batch, or null on one thread. */
  private readonly parallel: DataParallelModel | null;
  /** What evaluates the model: the model itself, or its split over threads. */
  private readonly runner: Pick<Layer, 'forward' | 'vjp'>;
  /** Threads evaluating each batch. */
  readonly threads: number;
  private readonly prediction: FloatArray;
  private readonly seedBar: FloatArray;
  private readonly chunks: {
    start: number;
    count: number;
    x: FloatArray;
    y: FloatArray | Int32Array;
  }[];
  /**
   * Whether each thread evaluates the loss on its own rows (one round per evaluation): threads
   * above one with a built-in loss.
   */
  private readonly lossOnThreads: boolean;
  /** The loss being summed over chunks, and one chunk's (see {@link Sum}). */
  private readonly sums = new Float64Array(2);
  /** A separable loss evaluated on one thread (SIMD where it can), or null. */
  private readonly partialLoss: PartialLoss<T> | null;
  /** Whether the targets (and mini-batch targets) are kept in the arena. */
  private readonly targetsInArena: boolean;
  private batchX: FloatArray | null = null;
  private batchY: FloatArray | Int32Array | null = null;

  constructor(o: SupervisedOptions<T>) {
    checkLoss(o.loss); // a name or a look-alike from JavaScript: an error naming it
    this.model = o.model;
    this.loss = o.loss;
    this.dtype = o.dtype ?? inferDtype(o.x);
    this.offset = o.offset ?? 0;
    this.penalty = o.penalty ?? null;
    requireInteger(this.offset, 'model offset in θ', 0);
    const inp = o.model.inputSize;
    const out = o.model.outputSize;
    const x = toRowMajor(o.x, inp, this.dtype, 'inputs x');
    this.n = x.rows;
    if (this.n === 0) throw new ScichainError('InvalidArgument', 'inputs x hold no samples');
    requireFiniteMatrix(x.data, x.rows, inp, 'inputs x');
    this.x = x.data;
    if (o.loss.targets === 'labels') {
      const labels = o.y as ArrayLike<number>;
      if (typeof labels.length !== 'number') {
        throw new ScichainError(
          'InvalidArgument',
          'labels y must be a flat array of class indices (one per sample)',
        );
      }
      if (labels.length !== this.n) {
        throw new ScichainError(
          'ShapeMismatch',
          `labels y has ${labels.length} entries but x has ${this.n} samples`,
        );
      }
      const y = new Int32Array(this.n);
      for (let s = 0; s < this.n; s++) {
        const c = labels[s];
        if (!(Number.isInteger(c) && c >= 0 && c < out)) {
          throw new ScichainError(
            'InvalidArgument',
            `label at row ${s} is ${c}; expected an integer class in 0…${out - 1}`,
          );
        }
        y[s] = c;
      }
      this.y = y;
      this.targetWidth = 1;
    } else {
      const y = toRowMajor(o.y as MatrixInput, out, this.dtype, 'targets y');
      if (y.rows !== this.n) {
        throw new ScichainError(
          'ShapeMismatch',
          `targets y have ${y.rows} rows but inputs x have ${this.n}`,
        );
      }
      requireFiniteMatrix(y.data, y.rows, out, 'targets y');
      this.y = y.data;
      this.targetWidth = out;
    }
    this.batchSize = Math.min(o.batchSize ?? this.n, this.n);
    requireInteger(this.batchSize, 'batchSize', 1);
    const plan = o.model.plan?.();
    this.threads = chooseThreads(
      o.pool?.threads ?? o.threads,
      this.batchSize,
      this.batchSize * o.model.paramCount,
      // Threads share the batch through a WebAssembly memory: without WebAssembly, one thread.
      plan !== undefined && wasmFeatures().wasm,
      o.pool?.threads,
    );
    let arena: Arena | null;
    if (this.threads > 1) {
      // One shared arena for every thread's buffers; the workers rebuild the model from its plan.
      arena = new Arena({ shared: true });
      this.parallel = new DataParallelModel(o.model, {
        pool: o.pool ?? sharedThreadPool(this.threads),
        arena,
        dtype: this.dtype,
        capacity: this.batchSize,
        seed: o.seed ?? 0,
        ...(o.kernels === undefined ? {} : { kernels: o.kernels }),
        loss: o.loss as Loss<never>,
      });
      this.cache = this.parallel.cache;
      this.runner = this.parallel;
    } else {
      this.parallel = null;
      this.cache = o.model.createCache(this.dtype, this.batchSize, {
        seed: o.seed ?? 0,
        ...(o.kernels === undefined ? {} : { kernels: o.kernels }),
      });
      arena = (this.cache as { arena?: Arena | null }).arena ?? null;
      this.runner = o.model;
    }
    this.arena = arena;
    this.allocator = arena ?? heapAllocator;
    if (arena !== null) {
      const copy = arena.floats(this.dtype, this.x.length);
      copy.set(this.x);
      this.x = copy;
    }
    // Threads evaluating the loss on their own rows read the targets from the shared arena too,
    // and so does the SIMD loop of an element-wise loss on one thread.
    this.lossOnThreads = this.parallel !== null && this.parallel.loss !== null;
    const separable = o.loss.separable;
    // On one thread the SIMD loop needs the targets in the arena too; only a shared (growable)
    // arena takes that copy, since a non-shared one was reserved for the workspace alone.
    this.targetsInArena =
      this.lossOnThreads ||
      (this.parallel === null &&
        arena !== null &&
        arena.shared &&
        separable?.elementwise !== undefined);
    this.partialLoss =
      this.parallel === null && separable !== undefined
        ? new PartialLoss(separable, this.dtype, this.targetsInArena ? arena : null)
        : null;
    if (this.targetsInArena) {
      const copy =
        this.y instanceof Int32Array
          ? arena!.ints(this.y.length)
          : arena!.floats(this.dtype, this.y.length);
      copy.set(this.y);
      this.y = copy;
    }
    this.prediction = this.allocator.floats(this.dtype, this.batchSize * out);
    this.seedBar = this.allocator.floats(this.dtype, this.batchSize * out);
    // Views of each chunk are made once here, so evaluation allocates nothing.
    this.chunks = [];
    for (let start = 0; start < this.n; start += this.batchSize) {
      const count = Math.min(this.batchSize, this.n - start);
      this.chunks.push({
        start,
        count,
        x: start === 0 ? this.x : this.x.subarray(start * inp),
        y: start === 0 ? this.y : this.y.subarray(start * this.targetWidth),
      });
    }
  }

  /** Dropout (and any other training-only behaviour) on or off. */
  get training(): boolean {
    return this.cache.training;
  }
  set training(on: boolean) {
    // Chains propagate the flag through a setter; plain layers just read it.
    if (this.parallel !== null) this.parallel.training = on;
    else this.cache.training = on;
  }

  /** Restarts the model's random streams (dropout). */
  reseed(seed: number): void {
    if (this.parallel !== null) this.parallel.reseed(seed);
    else this.cache.reseed?.(seed);
  }

  /** Releases the worker threads' copies of the model (a no-op on one thread). */
  dispose(): void {
    this.parallel?.dispose();
  }

  /**
   * Loss over the whole data set (plus penalty); writes the full gradient into `grad`
   * (overwritten). Usable directly as `minimize(objective.valueAndGradient, θ)`.
   */
  readonly valueAndGradient = (theta: FloatArray, grad: FloatArray): number => {
    this.checkTheta(theta, grad);
    grad.fill(0);
    const sums = this.sums;
    sums[Sum.Total] = 0;
    // Each chunk counts as a part of the whole data set (n rows).
    for (const c of this.chunks)
      this.evaluateChunk(theta, grad, c.x, c.y as unknown as T, c.count, this.n);
    let total = sums[Sum.Total];
    if (this.penalty) total += this.penalty.addGradient(theta, grad);
    return total;
  };

  /** Loss over the whole data set (plus penalty), without a gradient. */
  value(theta: FloatArray): number {
    this.checkTheta(theta, null);
    let total = 0;
    for (const c of this.chunks) {
      this.runner.forward(theta, this.offset, c.x, this.prediction, this.cache, c.count);
      total +=
        this.chunkWeight(c.count) *
        this.loss.value(this.prediction, c.y as unknown as T, c.count, this.model.outputSize);
    }
    if (this.penalty) total += this.penalty.value(theta);
    return total;
  }

  /**
   * Loss (plus penalty) of the mini-batch `indices[start … start + count)`, gradient written into
   * `grad` (overwritten). Rows are gathered into buffers allocated on first use.
   */
  batchValueAndGradient(
    theta: FloatArray,
    grad: FloatArray,
    indices: Int32Array,
    start: number,
    count: number,
  ): number {
    this.checkTheta(theta, grad);
    if (count > this.batchSize) {
      throw new ScichainError(
        'ShapeMismatch',
        `mini-batch of ${count} exceeds the objective's batchSize ${this.batchSize}`,
      );
    }
    const inp = this.model.inputSize;
    const tw = this.targetWidth;
    if (this.batchX === null) {
      this.batchX = this.allocator.floats(this.dtype, this.batchSize * inp);
      const targets = this.targetsInArena ? this.allocator : heapAllocator;
      this.batchY =
        this.y instanceof Int32Array
          ? this.targetsInArena
            ? this.arena!.ints(this.batchSize)
            : new Int32Array(this.batchSize)
          : targets.floats(this.dtype, this.batchSize * tw);
    }
    const bx = this.batchX;
    const by = this.batchY!;
    for (let k = 0; k < count; k++) {
      const row = indices[start + k];
      for (let j = 0; j < inp; j++) bx[k * inp + j] = this.x[row * inp + j];
      for (let j = 0; j < tw; j++) by[k * tw + j] = this.y[row * tw + j];
    }
    grad.fill(0);
    this.sums[Sum.Total] = 0;
    this.evaluateChunk(theta, grad, bx, by as unknown as T, count, count);
    let total = this.sums[Sum.Total];
    if (this.penalty) total += this.penalty.addGradient(theta, grad);
    return total;
  }

  /** Predictions for all inputs, written row-major into `out` (n × outputSize). */
  predict(theta: FloatArray, out: FloatArray): FloatArray {
    this.checkTheta(theta, null);
    const w = this.model.outputSize;
    if (out.length < this.n * w) {
      throw new ScichainError(
        'ShapeMismatch',
        `prediction buffer has length ${out.length} but ${this.n * w} are needed`,
      );
    }
    for (const c of this.chunks) {
      this.runner.forward(theta, this.offset, c.x, this.prediction, this.cache, c.count);
      for (let i = 0; i < c.count * w; i++) out[c.start * w + i] = this.prediction[i];
    }
    return out;
  }

  private chunkWeight(count: number): number {
    return this.loss.reduction === 'mean' ? count / this.n : 1;
  }

  /**
   * Forward, loss and pullback of one chunk: the gradient accumulates into `grad`, the weighted
   * loss into `sums[Sum.Total]` (sums travel through this array rather than return values: a
   * returned double is boxed whenever V8 does not inline the call — an allocation per step).
   */
  private evaluateChunk(
    theta: FloatArray,
    grad: FloatArray,
    x: FloatArray,
    y: T,
    count: number,
    batchRows: number,
  ): void {
    const w = this.model.outputSize;
    const sums = this.sums;
    if (this.lossOnThreads) {
      // One round: each thread's forward, loss terms, seed and pullback on its own rows.
      const parallel = this.parallel!;
      const target = y as unknown as FloatArray | Int32Array;
      const { prediction, seedBar, offset } = this;
      parallel.lossAndGradient(
        theta,
        offset,
        x,
        target,
        prediction,
        seedBar,
        grad,
        offset,
        count,
        batchRows,
        sums,
        Sum.Chunk,
      );
      sums[Sum.Total] += sums[Sum.Chunk];
      return;
    }
    this.runner.forward(theta, this.offset, x, this.prediction, this.cache, count);
    const partial = this.partialLoss;
    if (partial !== null) {
      // Separable: the chunk's part of the batch's loss, its seed scaled as it is written.
      partial.evaluate(this.prediction, y, count, w, batchRows, this.seedBar, sums, Sum.Chunk);
      sums[Sum.Total] += sums[Sum.Chunk];
    } else {
      // A chunk of a mean loss counts in proportion to its rows.
      const weight = this.loss.reduction === 'mean' && count !== batchRows ? count / batchRows : 1;
      sums[Sum.Chunk] = this.loss.valueAndGradient(this.prediction, y, count, w, this.seedBar);
      if (weight !== 1) for (let i = 0; i < count * w; i++) this.seedBar[i] *= weight;
      sums[Sum.Total] += weight * sums[Sum.Chunk];
    }
    this.runner.vjp(theta, this.offset, this.cache, this.seedBar, null, grad, this.offset, count);
  }

  private checkTheta(theta: FloatArray, grad: FloatArray | null): void {
    if (dtypeOf(theta) !== this.dtype) {
      throw new ScichainError(
        'ShapeMismatch',
        `θ is ${dtypeOf(theta)} but the objective computes in ${this.dtype}`,
      );
    }
    if (theta.length < this.offset + this.model.paramCount) {
      throw new ScichainError(
        'ShapeMismatch',
        `θ has length ${theta.length} but the model needs ${this.model.paramCount} entries from offset ${this.offset}`,
      );
    }
    if (grad !== null && grad.length !== theta.length) {
      throw new ScichainError(
        'ShapeMismatch',
        `gradient has length ${grad.length} but θ has length ${theta.length}`,
      );
    }
  }
}

/** Builds a {@link SupervisedObjective}. */
export function supervisedObjective<T>(options: SupervisedOptions<T>): SupervisedObjective<T> {
  return new SupervisedObjective(options);
}
