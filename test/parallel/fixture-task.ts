/** A task module for the pool's tests: each worker writes into its own entry of a shared array. */
import type { ParallelTask, TaskContext } from '../../src/parallel/index.ts';

export function fillTask(context: TaskContext<{ values: Float64Array }>): ParallelTask {
  const values = context.args.values;
  return {
    run(op: number) {
      if (op === 99) throw new Error(`op 99 refused on worker ${context.worker}`);
      // A little work so the threads overlap, then the answer.
      let s = 0;
      for (let i = 1; i <= 1000; i++) s += 1 / i;
      values[context.worker] = op * 1000 + context.worker + (s > 7 ? 0.5 : 0);
    },
  };
}

export const notAFunction = 3;
