/**
 * How many threads a batched evaluation uses. An explicit count is taken as given (`1` never
 * starts a worker). `'auto'` — the default — uses every core when the work per evaluation is
 * large enough to repay the synchronisation (one or two rounds of a few microseconds per training
 * step)
 * and the model can be rebuilt on workers; otherwise one thread.
 */
import { requireInteger } from '../errors.ts';
import { availableCores, canStartWorkers } from './host.ts';

/** A `threads` option: a count, or `'auto'`. */
export type ThreadChoice = number | 'auto';

/**
 * Smallest batch × multiply-adds per sample for which `'auto'` splits a batch over threads,
 * with at least {@link THREADS_MIN_ROWS} rows. Measured with
 * `npm run bench -- gemm --crossover --threads 2` (forward + pullback of one dense layer, widths
 * 8–128, batches 16–4,096, 2 threads): below ~65,536 multiply-adds two threads were slower in
 * every case (0.09–0.87×: two synchronisations of ~15 µs each); from 262,144 with 256 rows or
 * more they were faster in all but one noisy case (1.2–1.9×). Small batches of wide layers lose
 * even above the threshold, since every thread transposes the whole weight matrix per call.
 */
export const THREADS_MIN_MULTIPLY_ADDS = 1 << 18;
/** Smallest batch that `'auto'` splits over threads (see {@link THREADS_MIN_MULTIPLY_ADDS}). */
export const THREADS_MIN_ROWS = 256;

/**
 * Threads for an evaluation of `rows` samples with `multiplyAdds` multiply-adds in all;
 * `parallel` says whether the work can be split at all (the model has a plan).
 */
export function chooseThreads(
  choice: ThreadChoice | undefined,
  rows: number,
  multiplyAdds: number,
  parallel: boolean,
): number {
  if (choice !== undefined && choice !== 'auto') {
    requireInteger(choice, 'threads', 1);
    return choice;
  }
  const cores = availableCores();
  if (cores < 2 || !parallel || !canStartWorkers()) return 1;
  return multiplyAdds >= THREADS_MIN_MULTIPLY_ADDS && rows >= THREADS_MIN_ROWS ? cores : 1;
}
