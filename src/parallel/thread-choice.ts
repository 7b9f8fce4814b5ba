/**
 * How many threads a batched evaluation uses. An explicit count is taken as given up to the cores
 * available (see {@link capThreads}; `1` never starts a worker). `'auto'` — the default — uses every core when the work per evaluation is
 * large enough to repay the synchronisation (one or two rounds of a few microseconds per training
 * step)
 * and the model can be rebuilt on workers; otherwise one thread.
 */
import { requireInteger } from '../core/errors.ts';
import { availableCores, canStartWorkers } from './host.ts';

/** A `threads` option: a count, or `'auto'`. */
export type ThreadChoice = number | 'auto';

/**
 * A requested thread count, checked and capped: a non-integer or a count below 1 is an error
 * naming `what`; a count above `maxThreads` (default: the cores available —
 * `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers) is clamped to
 * it. More threads than cores only add synchronisation, and each worker costs tens of MB: a
 * request of 10,000 took over 3 GB in 13 s before the cap. Whoever needs more threads than cores
 * (a test of a thread count this machine lacks) says so with `maxThreads`.
 */
export function capThreads(requested: number, what = 'threads', maxThreads?: number): number {
  requireInteger(requested, what, 1);
  const cap = maxThreads ?? availableCores();
  requireInteger(cap, 'maxThreads', 1);
  return Math.min(requested, cap);
}

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
 * `parallel` says whether the work can be split at all (the model has a plan); `maxThreads`
 * (default: the cores available) caps an explicit count — a given pool's threads, for one.
 */
export function chooseThreads(
  choice: ThreadChoice | undefined,
  rows: number,
  multiplyAdds: number,
  parallel: boolean,
  maxThreads?: number,
): number {
  if (choice !== undefined && choice !== 'auto') return capThreads(choice, 'threads', maxThreads);
  const cores = availableCores();
  if (cores < 2 || !parallel || !canStartWorkers()) return 1;
  return multiplyAdds >= THREADS_MIN_MULTIPLY_ADDS && rows >= THREADS_MIN_ROWS ? cores : 1;
}
