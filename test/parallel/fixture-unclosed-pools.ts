/**
 * Run as a child process: makes 100 two-thread pools and never closes them — 98 unused and 2
 * that ran a task — then falls off the end. The process must exit promptly (it took 56 s).
 */
import { ThreadPool } from '../../src/index.ts';

const task = { url: new URL('./fixture-task.ts', import.meta.url).href, export: 'fillTask' };
const pools: ThreadPool[] = [];
for (let i = 0; i < 100; i++) pools.push(new ThreadPool({ threads: 2 }));
for (const pool of pools.slice(0, 2)) {
  const values = new Float64Array(new SharedArrayBuffer(16));
  pool.run(pool.register(task, { values }), 1, () => {});
  if (values[1] !== 1001.5) throw new Error(`worker wrote ${values[1]}`);
}
console.log(JSON.stringify({ pools: pools.length, rss: process.memoryUsage().rss }));
