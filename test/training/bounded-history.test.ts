// A long training keeps a bounded history (issue 17, defect 18): before, every epoch kept a
// record (~150 B), 24 M steps grew the heap by 450 MB. Now at most `historyLimit` records are
// kept, thinned evenly over the whole run (first, latest and best always kept), and `onEpoch`
// still sees every epoch.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  meanSquaredError,
  parameters,
  supervisedObjective,
  trainSupervised,
} from '../../src/index.ts';
import { EpochHistory } from '../../src/training/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap in use after a full collection: what is retained. */
const retained = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe('bounded history', () => {
  it('a 300,000-epoch run keeps at most historyLimit records spanning the whole run, in bounded memory', () => {
    const net = chain(1, dense(1));
    const theta = parameters({ net }).initial({ seed: 1 });
    const x = Float64Array.from([0, 1, 2, 3]);
    const obj = supervisedObjective({
      model: net,
      loss: meanSquaredError,
      x,
      y: x.map((v) => 2 * v + 1),
    });
    let seen = 0;
    const before = retained();
    const r = trainSupervised(obj, theta, {
      epochs: 300_000,
      optimizer: adam({ learningRate: 1e-3 }),
      progress: false,
      onEpoch: () => void seen++,
    });
    const grown = retained() - before;
    expect(seen).toBe(300_000); // streaming sees every epoch
    expect(r.epochs).toBe(300_000);
    expect(r.history.length).toBeLessThanOrEqual(10_000); // the default limit
    expect(r.history.length).toBeGreaterThan(4000);
    expect(r.history[0].epoch).toBe(1);
    expect(r.history.at(-1)!.epoch).toBe(300_000);
    // Evenly spread: the kept epochs (apart from the pinned ones) are multiples of one stride.
    const gaps = r.history.slice(1).map((h, i) => h.epoch - r.history[i].epoch);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(64);
    const best = Math.min(...r.history.map((h) => h.loss));
    expect(r.history.at(-1)!.loss).toBe(best); // still improving at the end: the latest is best
    // 300,000 records were retained before (~40 MB); now at most 10,000 (~1.5 MB).
    expect(grown).toBeLessThan(8e6);
  });

  it('thins keeping the first, latest and best records, deterministically', () => {
    const h = new EpochHistory(16);
    for (let e = 1; e <= 1000; e++)
      h.push({ epoch: e, loss: e === 333 ? -1 : 1 / e, validationLoss: e === 555 ? -2 : 1 });
    const epochs = h.records.map((r) => r.epoch);
    expect(h.records.length).toBeLessThanOrEqual(16);
    expect(epochs[0]).toBe(1);
    expect(epochs.at(-1)).toBe(1000);
    expect(epochs).toContain(333);
    expect(epochs).toContain(555);
    expect(
      epochs.filter((e) => ![1, 333, 555, 1000].includes(e)).every((e) => e % h.stride === 0),
    ).toBe(true);
    // The same records and stride give the same history: what resume relies on.
    const g = new EpochHistory(16);
    g.load(h.records.slice(0, 5), h.stride);
    expect(g.records).toEqual(h.records.slice(0, 5));
    expect(() => new EpochHistory(3)).toThrow('historyLimit must be an integer ≥ 16, got 3');
  });
});
