/**
 * A task module that misbehaves on command, for the pool's failure tests: operation 1 works,
 * 2 never returns, 3 calls `process.exit(3)`, 4 returns and then throws from a timer.
 */
import type { ParallelTask, TaskContext } from '../../src/parallel/index.ts';

export function misbehavingTask(context: TaskContext<{ values: Float64Array }>): ParallelTask {
  const values = context.args.values;
  return {
    run(op: number) {
      if (op === 2) for (;;) values[context.worker] += 1;
      if (op === 3) process.exit(3);
      if (op === 4) {
        setTimeout(() => {
          throw new Error(`late failure on worker ${context.worker}`);
        }, 5);
      }
      values[context.worker] = op;
    },
  };
}

/** A factory that never returns control (an endless loop while registering). */
export function stuckFactory(): ParallelTask {
  for (;;);
}
