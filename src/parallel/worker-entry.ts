/**
 * The loop of a worker thread: takes task registrations by message (they import modules, which
 * is asynchronous) and commands through the control block (synchronous, `Atomics`), so a
 * command costs a few microseconds rather than a message round trip. Between commands the
 * worker spins briefly (the next command of a training step usually follows at once), then
 * waits without blocking its event loop, so registrations can still arrive.
 */
import {
  COMMAND,
  DONE,
  FAILED,
  OP,
  OP_CLOSE,
  REGISTERED,
  SLOT,
  TASK,
  spinLoads,
  writeExit,
  writeFailure,
} from './control.ts';
import { collectGarbage } from './collect-garbage.ts';
import type { ParallelTask, TaskFactory } from './task.ts';

type Message =
  | { type: 'init'; control: Int32Array; index: number; threads: number }
  | { type: 'register'; id: number; url: string; export: string; args: unknown }
  | { type: 'drop'; id: number };

interface Port {
  onMessage(listener: (message: Message) => void): void;
  close(): void;
}

/** This thread's channel to the main thread: Node's parentPort or the Web Worker's scope. */
async function connect(): Promise<Port> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { parentPort } = await import('node:worker_threads');
    if (parentPort === null) throw new Error('worker-entry must run on a worker thread');
    return {
      onMessage: (listener) => parentPort.on('message', listener),
      close: () => parentPort.close(),
    };
  }
  const scope = globalThis as unknown as {
    addEventListener(type: 'message', listener: (e: { data: Message }) => void): void;
    close(): void;
  };
  return {
    onMessage: (listener) => scope.addEventListener('message', (e) => listener(e.data)),
    close: () => scope.close(),
  };
}

/**
 * Loads spun before waiting: about 200 µs (calibrated, see `spinLoads`), which covers what the
 * calling thread does between two rounds of a training step (reduction, optimizer step, the next
 * call), so the next command finds the worker awake; a wake from the asynchronous wait takes tens
 * of µs.
 */
const SPIN_LOADS = spinLoads(200);

/** `Atomics.waitAsync` (ES2024; the project's lib is older, engines have had it for years). */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** Resolves once `control[at]` differs from `value`: a short spin, then an asynchronous wait. */
async function changed(control: Int32Array, at: number, value: number): Promise<void> {
  for (let i = 0; i < SPIN_LOADS; i++) if (Atomics.load(control, at) !== value) return;
  while (Atomics.load(control, at) === value) {
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    if (waitAsync !== undefined) {
      const w = waitAsync.call(Atomics, control, at, value);
      if (w.async) await w.value;
    } else {
      // Engines without waitAsync: block briefly, then let queued messages in.
      Atomics.wait(control, at, value, 10);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

const port = await connect();
const tasks = new Map<number, ParallelTask>();
let control: Int32Array | null = null;
// This worker's slot in the control block (its worker number minus one).
let index = 0;
let threads = 1;

async function register(m: Extract<Message, { type: 'register' }>): Promise<void> {
  const c = control!;
  const base = index * SLOT;
  try {
    const module = (await import(m.url)) as Record<string, unknown>;
    const factory = module[m.export] as TaskFactory | undefined;
    if (typeof factory !== 'function') {
      throw new Error(`${m.url} has no exported function '${m.export}'`);
    }
    tasks.set(m.id, await factory({ worker: index + 1, threads, args: m.args }));
    Atomics.store(c, base + FAILED, 0);
  } catch (error) {
    writeFailure(c, index, error);
  }
  Atomics.store(c, base + REGISTERED, m.id);
  Atomics.notify(c, base + REGISTERED);
}

async function serve(): Promise<void> {
  const c = control!;
  const base = index * SLOT;
  let last = 0;
  for (;;) {
    await changed(c, base + COMMAND, last);
    last = Atomics.load(c, base + COMMAND);
    const op = c[base + OP];
    if (op === OP_CLOSE) break;
    try {
      const task = tasks.get(c[base + TASK]);
      if (task === undefined) throw new Error(`no task ${c[base + TASK]} on this worker`);
      task.run(op);
      c[base + FAILED] = 0;
    } catch (error) {
      writeFailure(c, index, error);
    }
    Atomics.store(c, base + DONE, last);
    Atomics.notify(c, base + DONE);
  }
  for (const task of tasks.values()) task.dispose?.();
  port.close();
}

/**
 * Web Workers: an uncaught error (a timer's throw) is written where a blocked caller looks, as the
 * Node boot script's exit hook does there.
 */
function reportUncaught(c: Int32Array, slot: number): void {
  if (typeof process !== 'undefined' && process.versions?.node) return;
  const scope = globalThis as unknown as {
    addEventListener(
      type: string,
      listener: (e: { message?: string; reason?: unknown }) => void,
    ): void;
  };
  scope.addEventListener('error', (e) =>
    writeExit(c, slot, `stopped after an uncaught error: ${e.message ?? 'unknown'}`),
  );
  scope.addEventListener('unhandledrejection', (e) =>
    writeExit(c, slot, `stopped after an unhandled rejection: ${String(e.reason)}`),
  );
}

port.onMessage((m) => {
  if (m.type === 'init') {
    control = m.control;
    index = m.index;
    threads = m.threads;
    reportUncaught(m.control, m.index);
    void serve();
  } else if (m.type === 'register') {
    void register(m);
  } else if (m.type === 'drop') {
    tasks.get(m.id)?.dispose?.();
    tasks.delete(m.id);
    // The task's shared memory is now garbage here, but this thread allocates too little for its
    // collector ever to run on its own (see collect-garbage.ts): collect now.
    collectGarbage();
  }
});
