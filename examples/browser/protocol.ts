/**
 * Messages between the demo page and its dedicated Web Worker (which owns the thread pool: a
 * pool's calling thread blocks in `Atomics.wait`, which a page's main thread may not do).
 */
import type { FitOutcome, TrainingOutcome } from './compute.ts';
import type { DemoSettings } from './settings.ts';

/** Page → worker: run the demo. */
export interface StartMessage {
  type: 'start';
  settings: DemoSettings;
  /** The Theophylline CSV's URL. */
  csvUrl: string;
}

/** Worker → page. */
export type WorkerMessage =
  | {
      type: 'threads';
      /** Threads the computations run on (the worker itself and its pool's workers). */
      threads: number;
      /** Why: cross-origin isolated with shared memory, or the reason there are no threads. */
      reason: string;
      crossOriginIsolated: boolean;
      /** WebAssembly features of this browser (SIMD, relaxed SIMD, shared memory). */
      wasm: { simd: boolean; relaxedSimd: boolean; sharedMemory: boolean };
    }
  /** Losses of the epochs since the last message (sent at most every 50 ms). */
  | { type: 'epochs'; first: number; losses: number[] }
  | { type: 'trained'; outcome: TrainingOutcome }
  | { type: 'fitted'; outcome: FitOutcome }
  | { type: 'error'; message: string };
