/**
 * The worker side of {@link DataParallelModel}: the model rebuilt from its plan, a cache for this
 * worker's share of the largest batch, all in the shared arena; each operation reads the
 * parameter block the calling thread wrote and runs this worker's rows.
 */
import type { FloatArray } from '../core/dtype.ts';
import {
  shareCount,
  shareOf,
  shareStart,
  type ParallelTask,
  type TaskContext,
} from '../parallel/task.ts';
import { Arena } from '../wasm/arena.ts';
import { builtinLoss } from '../losses/builtin.ts';
import { PartialLoss } from '../losses/elementwise-wasm.ts';
import type { SeparableLoss } from '../losses/loss.ts';
import {
  FIELDS,
  Field,
  OP_FORWARD,
  OP_LOSS_AND_GRADIENT,
  OP_PULLBACK,
  Scalar,
  type DataParallelArgs,
} from './data-parallel.ts';
import { layerFromPlan } from '../nn/layer-plan.ts';

/**
 * Views by byte offset, made once per offset (a run uses a handful per chunk of its data; the
 * bound only keeps the map from growing without end).
 */
class Views<V extends FloatArray | Int32Array> {
  private readonly made = new Map<number, V>();
  private readonly make: (byteOffset: number, length: number) => V;
  constructor(make: (byteOffset: number, length: number) => V) {
    this.make = make;
  }
  at(byteOffset: number, length: number): V {
    let v = this.made.get(byteOffset);
    if (v === undefined || v.length < length) {
      if (this.made.size > 4096) this.made.clear();
      v = this.make(byteOffset, length);
      this.made.set(byteOffset, v);
    }
    return v;
  }
}

export function dataParallelTask(context: TaskContext<DataParallelArgs>): ParallelTask {
  const a = context.args;
  const w = context.worker;
  const T = context.threads;
  const capacity = shareOf(a.capacity, T, w).count;
  if (capacity === 0) return { run: () => {} };
  const arena = Arena.attach(a.memory);
  const model = layerFromPlan(a.plan);
  const cache = model.createCache(a.dtype, capacity, {
    allocator: arena,
    kernels: a.kernels,
    seed: a.seed * 1009 + w,
  });
  const fields = arena.view('int32', a.fieldsByte, FIELDS);
  let modeVersion = 0;
  let seedVersion = 0;
  const grad = arena.view(a.dtype, a.gradientBytes[w - 1], Math.max(1, model.paramCount));
  const views = new Views((byte, length) => arena.view(a.dtype, byte, length));
  // The one-round evaluation's loss (labels are int32 targets, one per row).
  const loss = a.loss === null ? null : builtinLoss(a.loss);
  if (a.loss !== null && loss?.separable === undefined)
    throw new Error(`no built-in separable loss named '${a.loss}'`);
  const separable = (loss?.separable ?? null) as SeparableLoss<FloatArray | Int32Array> | null;
  const partialLoss = separable === null ? null : new PartialLoss(separable, a.dtype, arena);
  const labels = loss?.targets === 'labels';
  const targetWidth = labels ? 1 : model.outputSize;
  const labelViews = new Views((byte, length) => arena.view('int32', byte, length));
  const scalars = arena.view('float64', a.scalarsByte, Scalar.Parts + T) as Float64Array;
  const es = a.dtype === 'float32' ? 4 : 8;
  const inp = model.inputSize;
  const out = model.outputSize;
  let theta: FloatArray = grad;
  let thetaOffset = 0;
  let count = 0;
  return {
    run(op: number) {
      // Training mode and random streams (dropout) as last set on the calling thread.
      const forward = op === OP_FORWARD || op === OP_LOSS_AND_GRADIENT;
      if (forward && fields[Field.ModeVersion] !== modeVersion) {
        modeVersion = fields[Field.ModeVersion];
        cache.training = fields[Field.Training] === 1;
      }
      if (forward && fields[Field.SeedVersion] !== seedVersion) {
        seedVersion = fields[Field.SeedVersion];
        cache.reseed?.(fields[Field.Seed] * 1009 + w);
      }
      const rows = fields[Field.Rows];
      const start = shareStart(rows, T, w);
      count = shareCount(rows, T, w);
      if (count === 0) return;
      if (forward) {
        thetaOffset = fields[Field.ThetaOffset];
        theta = views.at(fields[Field.ThetaByte], thetaOffset + model.paramCount);
        const x = views.at(fields[Field.InputByte] + start * inp * es, count * inp);
        const y = views.at(fields[Field.OutputByte] + start * out * es, count * out);
        model.forward(theta, thetaOffset, x, y, cache, count);
        if (op === OP_FORWARD) return;
        // Loss terms and seed of these rows, then their pullback while activations are warm.
        const targetByte = fields[Field.TargetByte] + start * targetWidth * (labels ? 4 : es);
        const target = labels
          ? labelViews.at(targetByte, count)
          : views.at(targetByte, count * targetWidth);
        const yBar = views.at(fields[Field.CotangentByte] + start * out * es, count * out);
        partialLoss!.evaluate(
          y,
          target,
          count,
          out,
          fields[Field.BatchRows],
          yBar,
          scalars,
          Scalar.Parts + w,
        );
        grad.fill(0);
        model.vjp(theta, thetaOffset, cache, yBar, null, grad, 0, count);
      } else if (op === OP_PULLBACK) {
        const yBar = views.at(fields[Field.CotangentByte] + start * out * es, count * out);
        const xBarByte = fields[Field.InputCotangentByte];
        const xBar = xBarByte === 0 ? null : views.at(xBarByte + start * inp * es, count * inp);
        grad.fill(0);
        model.vjp(theta, thetaOffset, cache, yBar, xBar, grad, 0, count);
      } else {
        throw new Error(`unknown data-parallel operation ${op}`);
      }
    },
  };
}
