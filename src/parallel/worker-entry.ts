/**
 * The loop of a worker thread: takes task registrations by message (they may import modules,
 * which is asynchronous) and commands through the control block (synchronous, `Atomics`), so a
 * command costs a few microseconds rather than a message round trip. Between commands the
 * worker spins briefly (the next command of a training step usually follows at once), then
 * waits without blocking its event loop, so registrations can still arrive.
 *
 * Self-sufficient, so that a bundler can make one file of it (the package's `scichain/worker`
 * export): the library's own tasks are imported with literal paths and registered as worker
 * modules (`scichain:population-task`, `scichain:data-parallel-task`,
 * `scichain:objective-sum-task`); a user's task or setup may still be named by URL, or
 * registered by a worker entry of the user's own (`registerWorkerModule`). No top-level await.
 *
 * The boot handshake: the first thing the entry does on its `init` message is set the slot's
 * `BOOTED` word, which the calling thread waits for (bounded by the pool's `bootTimeoutMs`).
 */
import {
  BOOTED,
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
import { nodeBuiltinIfNode } from '../io/node-builtins.ts';
import {
  loadWorkerModule,
  registerWorkerModule,
  type ParallelTask,
  type TaskFactory,
} from './task.ts';

// Imports with literal paths, which bundlers follow (esbuild inlines them into the worker's
// file unless splitting), loaded at the first registration naming them: a worker loads only the
// part of the library its task needs, and answers the boot handshake before any of it.
registerWorkerModule(
  'population-task',
  () => import('../pharmacometrics/estimation/population-task.ts'),
);
registerWorkerModule('data-parallel-task', () => import('../training/data-parallel-task.ts'));
registerWorkerModule('objective-sum-task', () => import('../training/objective-sum-task.ts'));

type Message =
  | { type: 'init'; control: Int32Array; index: number; threads: number }
  | { type: 'register'; id: number; url: string; export: string; args: unknown }
  | { type: 'drop'; id: number };

interface Port {
  onMessage(listener: (message: Message) => void): void;
  close(): void;
}

interface NodeParentPort {
  on(event: 'message', listener: (message: Message) => void): void;
  close(): void;
}

/** The Web Worker's global scope (the project's lib has no DOM types). */
interface WorkerScope {
  addEventListener(
    type: string,
    listener: (e: { data?: Message; message?: string; reason?: unknown }) => void,
  ): void;
  close(): void;
}

/** This thread's channel to the main thread: Node's parentPort or the Web Worker's scope. */
function connect(): Port {
  const threads = nodeBuiltinIfNode<{ parentPort: NodeParentPort | null }>('node:worker_threads');
  if (threads !== null) {
    const parentPort = threads.parentPort;
    if (parentPort === null) throw new Error('worker-entry must run on a worker thread');
    return {
      onMessage: (listener) => parentPort.on('message', listener),
      close: () => parentPort.close(),
    };
  }
  const scope = globalThis as unknown as WorkerScope;
  // The scope's own close, before reportStops wraps it (closing after the pool closed is no stop).
  const close = scope.close.bind(scope);
  return {
    onMessage: (listener) => scope.addEventListener('message', (e) => listener(e.data!)),
    close,
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

const port = connect();
const tasks = new Map<number, ParallelTask>();
let control: Int32Array | null = null;
// This worker's slot in the control block (its worker number minus one).
let index = 0;
let threads = 1;

async function register(m: Extract<Message, { type: 'register' }>): Promise<void> {
  const c = control!;
  const base = index * SLOT;
  try {
    const module = await loadWorkerModule(m.url);
    // Own exports only: 'constructor' or 'toString' would pass a typeof check on a plain object.
    const factory = (Object.hasOwn(module, m.export) ? module[m.export] : undefined) as
      TaskFactory | undefined;
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

/** Set when a task closes this Web Worker (see reportStops). */
let closed = false;

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
    // A task that closed this worker (self.close()) ends here: the exit is what the caller gets,
    // not a completion it might see first.
    if (closed) return;
    Atomics.store(c, base + DONE, last);
    Atomics.notify(c, base + DONE);
  }
  for (const task of tasks.values()) task.dispose?.();
  port.close();
}

/**
 * Web Workers: an uncaught error (a timer's throw), a message this thread cannot read and the
 * worker closing itself (`self.close()` in a task) are written where a blocked caller looks, as
 * the Node boot script's hooks do there.
 */
function reportStops(c: Int32Array, slot: number): void {
  if (nodeBuiltinIfNode('node:worker_threads') !== null) return;
  const scope = globalThis as unknown as WorkerScope;
  scope.addEventListener('error', (e) =>
    writeExit(c, slot, `stopped after an uncaught error: ${e.message ?? 'unknown'}`),
  );
  scope.addEventListener('unhandledrejection', (e) =>
    writeExit(c, slot, `stopped after an unhandled rejection: ${String(e.reason)}`),
  );
  scope.addEventListener('messageerror', () =>
    writeExit(c, slot, 'could not read a message from the calling thread (messageerror)'),
  );
  const close = scope.close.bind(scope);
  scope.close = () => {
    closed = true;
    writeExit(c, slot, 'closed itself (self.close())');
    close();
  };
}

port.onMessage((m) => {
  if (m.type === 'init') {
    control = m.control;
    index = m.index;
    threads = m.threads;
    reportStops(m.control, m.index);
    Atomics.store(m.control, m.index * SLOT + BOOTED, 1);
    Atomics.notify(m.control, m.index * SLOT + BOOTED);
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
