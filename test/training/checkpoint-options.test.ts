// A checkpoint option that could only fail at its first write — which may be the one a Ctrl-C
// asks for — is refused before any work, by every long run (review of issue 17: a path of
// undefined gave a raw TypeError at that write, everySeconds NaN never wrote at all).
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../src/index.ts';
import { fitPopulationAsync } from '../../src/pharmacometrics/index.ts';
import { minimizePhasesAsync } from '../../src/training/index.ts';
import { theophyllineModel, theophyllineSubjects } from '../../examples/theophylline-model.ts';

const bad = [
  [{ path: undefined }, 'checkpoint.path must be a file path, got undefined'],
  [{ path: '' }, 'checkpoint.path must be a file path, got ""'],
  [
    { path: 'c.json', everySeconds: Number.NaN },
    'checkpoint.everySeconds must be a number of seconds > 0, got NaN',
  ],
  [
    { path: 'c.json', everySeconds: -5 },
    'checkpoint.everySeconds must be a number of seconds > 0, got -5',
  ],
] as const;

describe('checkpoint options are checked before any work', () => {
  it('by population fits and phased minimisation', async () => {
    const model = theophyllineModel();
    const subjects = theophyllineSubjects('closed-form');
    let evaluations = 0;
    const phase = {
      label: 'adam',
      objective: () => (t: Float64Array, g: Float64Array) => {
        evaluations++;
        g[0] = 2 * t[0];
        return t[0] * t[0];
      },
      method: 'lbfgs' as const,
    };
    for (const [checkpoint, message] of bad) {
      const c = checkpoint as unknown as { path: string };
      const fit = await fitPopulationAsync(model, subjects, {
        method: 'FOCEI',
        checkpoint: c,
      }).catch((e: unknown) => e);
      expect(fit).toBeInstanceOf(ScichainError);
      expect((fit as Error).message).toBe(message);
      const phased = await minimizePhasesAsync(new Float64Array([1]), [phase], {
        checkpoint: c,
      }).catch((e: unknown) => e);
      expect(phased).toBeInstanceOf(ScichainError);
      expect((phased as Error).message).toBe(message);
    }
    expect(evaluations).toBe(0);
  });
});
