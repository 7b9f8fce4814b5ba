/**
 * The entry of the demo's pool workers, built as `worker-entry.js`: the library's worker entry
 * (`scichain/worker`) plus the demo's own worker module, `demo-theophylline`, from which the
 * workers of a threaded population fit rebuild the model and subjects (a bundle has no source
 * files a worker could import by URL).
 */
import '../../src/parallel/worker-entry.ts';
import { registerWorkerModule } from '../../src/parallel/index.ts';
import { BROWSER_SETUP_URL, theophyllineSetup } from './compute.ts';

registerWorkerModule(BROWSER_SETUP_URL.slice('scichain:'.length), { theophyllineSetup });
