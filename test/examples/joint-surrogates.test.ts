// The joint-training example (Fourier rhythm, network-corrected Emax, Chebyshev covariate effect,
// mechanistic parameters, one θ) at a CI-sized budget: the fit reaches the noise level and each
// learned term is close to the function that generated the data; the report is written.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  jointSurrogatesReport,
  OBSERVATION_TIMES,
  runJointSurrogates,
  simulateSubjects,
} from '../../examples/joint-surrogates.ts';

describe('joint training of Fourier, network and Chebyshev terms', () => {
  it('simulates seeded subjects with the stated noise', () => {
    const a = simulateSubjects(3, 40, 0.2);
    expect(simulateSubjects(3, 40, 0.2)[7].observed).toEqual(a[7].observed);
    let sum = 0;
    for (const s of a)
      for (let k = 0; k < s.truth.length; k++) sum += (s.observed[k] - s.truth[k]) ** 2;
    const rms = Math.sqrt(sum / (a.length * OBSERVATION_TIMES.length));
    expect(Math.abs(rms - 0.2) / 0.2).toBeLessThan(0.1);
    // Placebo subjects stay on their daily cycle; dosed ones drop below it.
    const placebo = a.find((s) => s.dose === 0)!;
    const high = a.find((s) => s.dose === 200)!;
    expect(Math.min(...placebo.truth)).toBeGreaterThan(0.6 * placebo.baseline);
    expect(Math.min(...high.truth)).toBeLessThan(0.6 * high.baseline);
  });

  it('learns all three terms within 10 % (Fourier rhythm)', () => {
    const r = runJointSurrogates({ kinds: ['fourier'], progress: false });
    const fit = r.fits[0];
    const noiseLevel = r.subjects.length * OBSERVATION_TIMES.length * r.options.noise ** 2;
    expect(fit.history[0]).toBeGreaterThan(5 * noiseLevel);
    expect(fit.loss).toBeLessThan(1.3 * noiseLevel);
    expect(fit.errors.production).toBeLessThan(0.1);
    expect(fit.errors.effect).toBeLessThan(0.1);
    expect(fit.errors.kout).toBeLessThan(0.1);
    const path = jointSurrogatesReport(r).write(
      join(mkdtempSync(join(tmpdir(), 'scichain-')), 'joint.html'),
    );
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('Learned vs true drug effect');
    expect(html).toContain('The rhythm learned by each kind of approximator');
  });
});
