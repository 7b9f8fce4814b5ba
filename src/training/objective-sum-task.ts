/**
 * The worker side of a threaded {@link ObjectiveSum}: the parts built by the user's setup
 * export, and per command this worker's fixed share of them evaluated at the shared p.
 */
import { ScichainError } from '../core/errors.ts';
import { runSetup, shareOf, type ParallelTask, type TaskContext } from '../parallel/task.ts';
import {
  OP_PARTS,
  evaluateParts,
  objectiveSumShared,
  type ObjectivePart,
  type ObjectiveSumTaskArgs,
} from './objective-sum.ts';

export async function objectiveSumTask(
  context: TaskContext<ObjectiveSumTaskArgs>,
): Promise<ParallelTask> {
  const a = context.args;
  const parts = (await runSetup(a.setup, a.args, "the parts' setup")) as ObjectivePart[];
  if (!Array.isArray(parts) || parts.length !== a.parts) {
    throw new ScichainError(
      'ShapeMismatch',
      `the setup built ${Array.isArray(parts) ? parts.length : 'no array of'} parts on a worker, ` +
        `but the calling thread has ${a.parts}: it must build the same`,
    );
  }
  const shared = objectiveSumShared(a.buffer, a.parts, a.paramCount);
  const { start, count } = shareOf(a.parts, context.threads, context.worker);
  return {
    run(op: number) {
      if (op !== OP_PARTS) throw new Error(`unknown objective-sum operation ${op}`);
      evaluateParts(parts, shared, start, count);
    },
  };
}
