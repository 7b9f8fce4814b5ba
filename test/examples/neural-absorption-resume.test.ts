// The neural-absorption example interrupted in its neural fit and resumed from the checkpoint
// file ends with the bits of an uninterrupted run (objective, estimates, rounds), at a small size.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNeuralAbsorption, runNeuralAbsorptionAsync } from '../../examples/neural-absorption.ts';
import { loadNeuralFitCheckpoint } from '../../src/pharmacometrics/estimation/neural-fit-checkpoint.ts';

describe('neural absorption example, interrupted', () => {
  it('resumes its neural fit bit-exactly', { timeout: 240_000 }, async () => {
    const small = {
      subjects: 4,
      rounds: 2,
      jointIterations: 4,
      populationIterations: 3,
      covariance: false,
      replicates: 5,
      threads: 1,
    } as const;
    const straight = runNeuralAbsorption(small);
    const path = join(mkdtempSync(join(tmpdir(), 'scichain-na-')), 'na.ckpt.json');
    const first = await runNeuralAbsorptionAsync({
      ...small,
      checkpoint: { path },
      stopAfterSlices: 6,
    });
    expect(first).toMatchObject({ reason: 'Interrupted', checkpointPath: path });
    const resumed = await runNeuralAbsorptionAsync({
      ...small,
      checkpoint: { path },
      resume: loadNeuralFitCheckpoint(path),
    });
    expect('reason' in resumed).toBe(false);
    if ('reason' in resumed) return;
    expect(Array.from(resumed.neural.fit.x)).toEqual(Array.from(straight.neural.fit.x));
    expect(Object.is(resumed.neural.fit.objective, straight.neural.fit.objective)).toBe(true);
    expect(resumed.neural.fit.rounds.map((r) => r.objective)).toEqual(
      straight.neural.fit.rounds.map((r) => r.objective),
    );
  });
});
