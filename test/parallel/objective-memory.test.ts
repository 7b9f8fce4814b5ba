// Issue 17, defect 7: creating and disposing threaded objectives keeps no memory (1.1 MB per
// cycle before, 1,600 cycles → 2 GB).
import { describe, expect, test } from 'vitest';
import { runFixture } from './run-fixture.ts';

describe('objectives give their memory back', () => {
  test(
    'creating and disposing 200 two-thread objectives keeps no memory',
    {
      timeout: 120_000,
    },
    () => {
      const r = runFixture('./fixture-objective-cycles.ts', ['200', '4000', '2'], 110_000);
      const m = JSON.parse(r.out) as {
        arenaBytes: number;
        withoutCollection: number;
        afterCollection: number;
      };
      // The objective's arena is ~6 MB. Before, a worker never collected the arenas of the tasks
      // it dropped (nor did the calling thread, which V8 is not told about shared WebAssembly
      // memory): 1.2 GB over the 200 cycles, 0.6–6 MB per cycle. Now each thread collects after
      // 64 MiB of new shared memory and a worker after each dropped task, so at most 64 MiB of
      // dead arenas wait for a collection at any time, plus the allocator's slack.
      expect(m.arenaBytes).toBeGreaterThan(4e6);
      expect(m.withoutCollection).toBeLessThan(128 * 2 ** 20);
      // What any thread still references per cycle after a collection: < 1% of one arena (a kept
      // arena would show as ≥ 6 MB per cycle; RSS noise over the run is a few MB in all).
      expect(m.afterCollection).toBeLessThan(64 * 1024);
    },
  );
});
