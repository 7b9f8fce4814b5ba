// The UDE example end to end (seed 1, default settings): train the network through the quadrature
// adjoint, recover the missing interaction by STLSQ, refit, and write the report.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  lotkaVolterraData,
  lotkaVolterraUdeReport,
  runLotkaVolterraUde,
} from '../../examples/lotka-volterra-ude.ts';

describe('Lotka–Volterra UDE example', () => {
  it('recovers −β·u1·u2 and γ·u1·u2 within 10 % from the trained network', () => {
    const r = runLotkaVolterraUde({ progress: false });
    // Training reached the data: 42 values, noise SD 0.5 % of the mean, so a good fit's sum
    // of squares is of order 0.005; the untrained network misses even the first window.
    expect(r.loss).toBeLessThan(0.5);
    expect(r.phases[0].history[0]).toBeGreaterThan(1);
    // The sparse regression kept exactly the interaction term in both equations …
    const kept = r.recovered.fits.map((f) => f.active.map((j) => r.recovered.library.names[j]));
    expect(kept).toEqual([['u1*u2'], ['u1*u2']]);
    // … with coefficients within 10 % of the truth,
    expect(Math.abs(r.beta - 0.9) / 0.9).toBeLessThan(0.1);
    expect(Math.abs(r.gamma - 0.8) / 0.8).toBeLessThan(0.1);
    // and refitting the recovered equations on the data pins them to ~1 %.
    expect(Math.abs(r.refitBeta - 0.9) / 0.9).toBeLessThan(0.01);
    expect(Math.abs(r.refitGamma - 0.8) / 0.8).toBeLessThan(0.01);
    // The learned term matches the true one along the fitted trajectory (relative 2-norm).
    let num = 0;
    let den = 0;
    for (let k = 0; k < r.sampleTimes.length; k++) {
      const product = r.sampleStates[2 * k] * r.sampleStates[2 * k + 1];
      num += (r.networkOutputs[2 * k] + 0.9 * product) ** 2;
      num += (r.networkOutputs[2 * k + 1] - 0.8 * product) ** 2;
      den += (0.9 * product) ** 2 + (0.8 * product) ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(0.2);

    const path = join(mkdtempSync(join(tmpdir(), 'scichain-ude-')), 'report.html');
    lotkaVolterraUdeReport(r).write(path);
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('Recovered equations');
    expect(html).toContain('missing du1/dt = -');
    expect((html.match(/Plotly\.newPlot/g) ?? []).length).toBe(4);
  }, 240_000);

  it('makes the same noisy data from the same seed', () => {
    const a = lotkaVolterraData(1, 0.005);
    const b = lotkaVolterraData(1, 0.005);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(lotkaVolterraData(2, 0.005).data)).not.toEqual(Array.from(a.data));
    // 0.5 % of each state's mean: pooled over seeds 1–10 (210 draws per state) the residuals'
    // RMS is within 10 % of it; twice the noise, or noise of the wrong scale, would fail.
    for (let j = 0; j < 2; j++) {
      let mean = 0;
      for (let k = 0; k < 21; k++) mean += a.truth[2 * k + j] / 21;
      let squares = 0;
      for (let seed = 1; seed <= 10; seed++) {
        const d = lotkaVolterraData(seed, 0.005);
        for (let k = 0; k < 21; k++) squares += (d.data[2 * k + j] - d.truth[2 * k + j]) ** 2 / 210;
      }
      const ratio = Math.sqrt(squares) / (0.005 * mean);
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.1);
    }
  });
});
