/**
 * Run as a child process with --expose-gc: two two-thread pools run a task and are dropped
 * without close(); after collections, prints how many of their workers have stopped (the pools'
 * control words, read through a reference kept to the control blocks only).
 */
import { ThreadPool } from '../../src/index.ts';

const task = { url: new URL('./fixture-task.ts', import.meta.url).href, export: 'fillTask' };
const EXITED = 7; // control.ts: a worker slot's EXITED word (slot 0)
const gc = (globalThis as { gc?: () => void }).gc!;

function usedPool(): Int32Array {
  const pool = new ThreadPool({ threads: 2 });
  const values = new Float64Array(new SharedArrayBuffer(16));
  pool.run(pool.register(task, { values }), 1, () => {});
  return (pool as unknown as { control: Int32Array }).control;
}

const controls = [usedPool(), usedPool()];
const stopped = (): number => controls.filter((c) => Atomics.load(c, EXITED) === 1).length;
const before = stopped();
for (let i = 0; i < 50 && stopped() < controls.length; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(JSON.stringify({ pools: controls.length, before, after: stopped() }));
