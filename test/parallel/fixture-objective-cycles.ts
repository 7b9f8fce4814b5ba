/**
 * Run as a child process (`node --expose-gc --import tsx fixture-objective-cycles.ts CYCLES ROWS
 * THREADS`): creates, evaluates and disposes CYCLES supervised objectives on THREADS threads
 * after a warm-up, and prints one JSON line of resident-memory growth: `withoutCollection`
 * (bytes, as the library leaves it — no explicit collection in the loop or after it) and
 * `afterCollection` (bytes per cycle once the calling thread has collected: what is still
 * referenced somewhere).
 */
import { chain, dense, meanSquaredError, supervisedObjective } from '../../src/index.ts';

const [cycles, rows, threads] = process.argv.slice(2).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const x = new Float32Array(rows * 4).map((_, i) => Math.sin(i));
const y = new Float32Array(rows * 4).map((_, i) => Math.cos(i));
let arenaBytes = 0;

function cycle(): void {
  const model = chain(4, dense(32, 'tanh'), dense(16, 'tanh'), dense(4));
  const objective = supervisedObjective({ model, loss: meanSquaredError, x, y, threads });
  const theta = objective.arena!.floats('float32', model.paramCount);
  const grad = objective.arena!.floats('float32', model.paramCount);
  for (let i = 0; i < theta.length; i++) theta[i] = 0.01 * Math.sin(i);
  objective.valueAndGradient(theta, grad);
  if (objective.threads !== threads) throw new Error(`ran on ${objective.threads} threads`);
  arenaBytes = objective.arena!.capacityBytes;
  objective.dispose();
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));
for (let i = 0; i < 20; i++) cycle();
gc();
await settle();
gc();
const before = process.memoryUsage().rss;
for (let i = 0; i < cycles; i++) cycle();
await settle();
const withoutCollection = process.memoryUsage().rss - before;
gc();
await settle();
gc();
const afterCollection = (process.memoryUsage().rss - before) / cycles;
console.log(
  JSON.stringify({ cycles, rows, threads, arenaBytes, withoutCollection, afterCollection }),
);
process.exit(0);
