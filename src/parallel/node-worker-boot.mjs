// Boot script of a scichain worker thread under Node. When the library runs from its
// TypeScript sources, workers need the TypeScript loader (Node 20 does not pass the parent's
// loader hooks to workers), so it is registered here before the entry is imported.
//
// It also reports the worker's end into the control block (layout in control.ts: SLOT 8 Int32
// fields per worker, DONE = 3, FAILED = 4, REGISTERED = 5, MESSAGE_LENGTH = 6, EXITED = 7, then
// 2048 message bytes per worker; keep in step with writeExit there): a failed boot, a
// `process.exit` in a task, an uncaught error from a timer. The calling thread may be blocked in
// `Atomics.wait` and unable to receive the Worker's 'exit' event, so the exit hook writes the cause
// where that wait looks and wakes it.
/* global TextEncoder */
import { workerData } from 'node:worker_threads';

const { entry, control, index } = workerData;
const SLOT = 8;
const MESSAGE_BYTES = 2048;
const base = index * SLOT;

function describe(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function writeExit(cause) {
  if (Atomics.load(control, base + 7) === 1) return;
  const workers = control.length / (SLOT + MESSAGE_BYTES / 4);
  const bytes = new TextEncoder().encode(cause).subarray(0, MESSAGE_BYTES);
  new Uint8Array(control.buffer, workers * SLOT * 4 + index * MESSAGE_BYTES).set(bytes);
  control[base + 6] = bytes.length;
  Atomics.store(control, base + 7, 1);
  Atomics.notify(control, base + 3);
  Atomics.notify(control, base + 5);
}

// The first error that reached the top of the worker (it ends the worker with code 1).
let uncaught = null;
process.on('uncaughtExceptionMonitor', (error, origin) => {
  uncaught ??=
    describe(error) + (origin === 'unhandledRejection' ? ' (an unhandled rejection)' : '');
});
process.on('exit', (code) => {
  writeExit(`exited with code ${code}${uncaught === null ? '' : ` after an uncaught ${uncaught}`}`);
});

try {
  if (entry.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  await import(entry);
} catch (error) {
  Atomics.store(control, base + 4, 1);
  Atomics.store(control, base + 5, -1);
  writeExit(`failed to start: ${error instanceof Error ? error.message : error}`);
}
