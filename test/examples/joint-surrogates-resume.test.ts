// The joint-surrogates example interrupted and resumed (issue 17, defect 17), at test size:
// SIGINT (emitted in-process, as Node delivers a real one) during the first variant's
// training writes its checkpoint and stops the run; resuming from the same base path ends
// with the θ bits and loss histories of an uninterrupted run, for every variant.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  runJointSurrogates,
  runJointSurrogatesAsync,
  type JointSurrogatesOptions,
} from '../../examples/joint-surrogates.ts';

const SMALL: JointSurrogatesOptions = {
  subjects: 3,
  adamSteps: 12,
  iterations: 8,
  kinds: ['fourier', 'chebyshev'],
  progress: false,
};

describe('joint-surrogates example: interrupt and resume', () => {
  it('SIGINT checkpoints the variant under way; resuming ends with the uninterrupted θ bits', async () => {
    const straight = runJointSurrogates(SMALL);
    const base = join(mkdtempSync(join(tmpdir(), 'scichain-joint-')), 'joint.json');
    setTimeout(() => process.emit('SIGINT', 'SIGINT'), 0);
    const first = await runJointSurrogatesAsync({ ...SMALL, checkpoint: { path: base } });
    expect(first.result).toBeUndefined();
    expect(first.interrupted?.signal).toBe('SIGINT');
    expect(existsSync(join(base, '..', 'joint.fourier.json'))).toBe(true);
    expect(existsSync(join(base, '..', 'joint.chebyshev.json'))).toBe(false);

    const rest = await runJointSurrogatesAsync({
      ...SMALL,
      checkpoint: { path: base },
      resume: base,
    });
    const fits = rest.result!.fits;
    expect(fits.map((f) => f.kind)).toEqual(['fourier', 'chebyshev']);
    fits.forEach((f, i) => {
      expect(Array.from(f.theta), f.kind).toEqual(Array.from(straight.fits[i].theta));
      expect(f.history, f.kind).toEqual(straight.fits[i].history);
      expect(f.loss, f.kind).toBe(straight.fits[i].loss);
    });
  });
});
