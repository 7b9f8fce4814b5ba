/**
 * The worker side of {@link DataParallelModel}: the model rebuilt from its plan, a cache for this
 * worker's share of the largest batch, all in the shared arena; each operation reads the
 * parameter block the calling thread wrote and runs this worker's rows.
 */
import type { FloatArray } from '../memory/dtype.ts';
import { shareOf, type ParallelTask, type TaskContext } from '../parallel/task.ts';
import { Arena } from '../wasm/arena.ts';
import { FIELDS, Field, OP_FORWARD, OP_PULLBACK, type DataParallelArgs } from './data-parallel.ts';
import { layerFromPlan } from './layer-plan.ts';

/** Views by byte offset, made once per offset (a training run uses a handful). */
class Views {
  private readonly made = new Map<number, FloatArray>();
  private readonly arena: Arena;
  private readonly dtype: 'float32' | 'float64';
  constructor(arena: Arena, dtype: 'float32' | 'float64') {
    this.arena = arena;
    this.dtype = dtype;
  }
  at(byteOffset: number, length: number): FloatArray {
    let v = this.made.get(byteOffset);
    if (v === undefined || v.length < length) {
      if (this.made.size > 64) this.made.clear();
      v = this.arena.view(this.dtype, byteOffset, length);
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
  const views = new Views(arena, a.dtype);
  const es = a.dtype === 'float32' ? 4 : 8;
  const inp = model.inputSize;
  const out = model.outputSize;
  let theta: FloatArray = grad;
  let thetaOffset = 0;
  let count = 0;
  return {
    run(op: number) {
      // Training mode and random streams (dropout) as last set on the calling thread.
      if (op === OP_FORWARD && fields[Field.ModeVersion] !== modeVersion) {
        modeVersion = fields[Field.ModeVersion];
        cache.training = fields[Field.Training] === 1;
      }
      if (op === OP_FORWARD && fields[Field.SeedVersion] !== seedVersion) {
        seedVersion = fields[Field.SeedVersion];
        cache.reseed?.(fields[Field.Seed] * 1009 + w);
      }
      const share = shareOf(fields[Field.Rows], T, w);
      count = share.count;
      if (count === 0) return;
      if (op === OP_FORWARD) {
        thetaOffset = fields[Field.ThetaOffset];
        theta = views.at(fields[Field.ThetaByte], thetaOffset + model.paramCount);
        const x = views.at(fields[Field.InputByte] + share.start * inp * es, count * inp);
        const y = views.at(fields[Field.OutputByte] + share.start * out * es, count * out);
        model.forward(theta, thetaOffset, x, y, cache, count);
      } else if (op === OP_PULLBACK) {
        const yBar = views.at(fields[Field.CotangentByte] + share.start * out * es, count * out);
        const xBarByte = fields[Field.InputCotangentByte];
        const xBar =
          xBarByte === 0 ? null : views.at(xBarByte + share.start * inp * es, count * inp);
        grad.fill(0);
        model.vjp(theta, thetaOffset, cache, yBar, xBar, grad, 0, count);
      } else {
        throw new Error(`unknown data-parallel operation ${op}`);
      }
    },
  };
}
