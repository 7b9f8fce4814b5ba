/**
 * Tasks for the pool's browser fault tests (test/browser/pool-faults.test.ts), registered on the
 * pool's Web Workers by fixture-pool-entry.ts and loaded by URL under Node for the comparison of
 * round costs. Operation 1 writes `1000·op + worker` into the worker's entry of `values`; 0 does
 * nothing (the cost of a round); 2 never returns; 3 closes the worker (`self.close()`) mid-task;
 * 4 returns and throws from a timer 5 ms later.
 */
import type { ParallelTask, TaskContext } from '../../src/parallel/task.ts';

export function faultTask(context: TaskContext<{ values: Float64Array }>): ParallelTask {
  const values = context.args.values;
  return {
    run(op: number) {
      if (op === 0) return;
      if (op === 2) for (;;) values[context.worker] += 1;
      if (op === 3) (globalThis as unknown as { close(): void }).close();
      if (op === 4) {
        setTimeout(() => {
          throw new Error(`late failure on worker ${context.worker}`);
        }, 5);
      }
      values[context.worker] = 1000 * op + context.worker;
    },
  };
}
