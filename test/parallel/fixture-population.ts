/** Setups for the threaded population tests: the Theophylline subjects, or a wrong count. */
import { theophyllineSetup } from '../../examples/theophylline-model.ts';

export { theophyllineSetup };

/** Builds one subject fewer than the calling thread has: the worker must refuse it. */
export function tooFewSubjects() {
  const built = theophyllineSetup({ path: 'closed-form' });
  return { model: built.model, subjects: built.subjects.slice(1) };
}
