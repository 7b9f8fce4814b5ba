/**
 * The worker side of a threaded {@link PopulationObjective}: the model and subjects rebuilt by
 * the user's setup export, a one-thread objective over them, and per command the evaluation of
 * this worker's fixed share of subjects at the x the calling thread wrote, values and η̂ written
 * back into the shared block. Each subject is always evaluated by the same thread, so its warm
 * starts evolve exactly as on one thread.
 */
import { ScichainError } from '../../core/errors.ts';
import { runSetup, shareOf, type ParallelTask, type TaskContext } from '../../parallel/task.ts';
import {
  CURVATURE_VERSION,
  ETA_VERSION,
  OP_SUBJECTS,
  PopulationObjective,
  populationShared,
  type PopulationSetup,
  type PopulationTaskArgs,
} from './fit-population.ts';

export async function populationTask(
  context: TaskContext<PopulationTaskArgs>,
): Promise<ParallelTask> {
  const a = context.args;
  const built = (await runSetup(a.setup, a.args, 'the population setup')) as PopulationSetup;
  if (built.subjects.length !== a.subjects || built.model.q !== a.q) {
    throw new ScichainError(
      'ShapeMismatch',
      `the setup built ${built.subjects.length} subjects with ${built.model.q} random effects on ` +
        `a worker, but the calling thread has ${a.subjects} with ${a.q}: it must build the same`,
    );
  }
  const objective = new PopulationObjective(
    built.model,
    built.subjects,
    a.method,
    a.laplaceHessian,
  );
  const shared = populationShared(a.buffer, a.subjects, a.q, a.xLength);
  const { x, values, etas, curvatures, curvatureReady } = shared.floats;
  const { start, count } = shareOf(a.subjects, context.threads, context.worker);
  const engines = objective.subjectEngines();
  // Each subject's slot of the shared curvatures, made once (no views per evaluation).
  const q2 = a.q * a.q;
  const curvature = engines.map((_, i) => curvatures.subarray(i * q2, (i + 1) * q2));
  let etaVersion = 0;
  let curvatureVersion = 0;
  return {
    run(op: number) {
      if (op !== OP_SUBJECTS) throw new Error(`unknown population operation ${op}`);
      if (count === 0) return;
      const version = Atomics.load(shared.ints, ETA_VERSION);
      if (version !== etaVersion) {
        // Warm starts set on the calling thread (setEtas).
        etaVersion = version;
        for (let i = start; i < start + count; i++)
          for (let k = 0; k < a.q; k++) engines[i].etaHat[k] = etas[i * a.q + k];
      }
      const cVersion = Atomics.load(shared.ints, CURVATURE_VERSION);
      if (cVersion !== curvatureVersion) {
        // Curvature warm starts set on the calling thread (setCurvatures, a resumed fit).
        curvatureVersion = cVersion;
        for (let i = start; i < start + count; i++)
          engines[i].setCurvature(curvatureReady[i] === 1 ? curvature[i] : null);
      }
      if (!objective.evaluateSubjects(x, start, count)) return;
      for (let i = start; i < start + count; i++) {
        values[i] = objective.subjectValues[i];
        etas.set(engines[i].etaHat, i * a.q);
        curvatureReady[i] = engines[i].copyCurvature(curvature[i]) ? 1 : 0;
      }
    },
  };
}
