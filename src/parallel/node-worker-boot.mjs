// Boot script of a scichain worker thread under Node. When the library runs from its
// TypeScript sources, workers need the TypeScript loader (Node 20 does not pass the parent's
// loader hooks to workers), so it is registered here before the entry is imported. A failure
// is written into the control block (layout in control.ts: SLOT 8 Int32 fields per worker,
// FAILED = 4, REGISTERED = 5, MESSAGE_LENGTH = 6, then 2048 message bytes per worker), where the
// waiting main thread reads it, instead of leaving it waiting.
/* global TextEncoder */
import { workerData } from 'node:worker_threads';

const { entry, control, index } = workerData;
try {
  if (entry.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  await import(entry);
} catch (error) {
  const SLOT = 8;
  const MESSAGE_BYTES = 2048;
  const workers = control.length / (SLOT + MESSAGE_BYTES / 4);
  const text = `worker failed to start: ${error instanceof Error ? error.message : error}`;
  const bytes = new TextEncoder().encode(text).subarray(0, MESSAGE_BYTES);
  new Uint8Array(control.buffer, workers * SLOT * 4 + index * MESSAGE_BYTES).set(bytes);
  control[index * SLOT + 6] = bytes.length;
  Atomics.store(control, index * SLOT + 4, 1);
  Atomics.store(control, index * SLOT + 5, -1);
  Atomics.notify(control, index * SLOT + 5);
}
