/**
 * The pool workers' entry of the browser fault tests, bundled as `worker-entry.js`: the
 * library's entry plus the test's tasks as the worker module `faults` — the recipe for an app
 * with tasks of its own (a bundle has no source files a worker could import by URL).
 */
import '../../src/parallel/worker-entry.ts';
import { registerWorkerModule } from '../../src/parallel/task.ts';
import { faultTask } from './fixture-pool-tasks.ts';

registerWorkerModule('faults', { faultTask });
