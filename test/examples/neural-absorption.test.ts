// The neural-absorption example at a small size: on a population simulated with transit-
// compartment absorption, the network absorption model beats first-order absorption on the
// FOCEI objective and AIC, recovers the residual error that first-order absorption inflates, and
// learns an absorption profile closer to the truth.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { neuralAbsorptionReport, runNeuralAbsorption } from '../../examples/neural-absorption.ts';

describe('neural absorption example', () => {
  it('wins over first-order absorption and reports', { timeout: 240_000 }, () => {
    const result = runNeuralAbsorption({
      subjects: 8,
      rounds: 1,
      jointIterations: 40,
      populationIterations: 10,
      covariance: false,
      replicates: 20,
    });
    const a = result.firstOrder.fit;
    const b = result.neural.fit;
    const { truth, firstOrder, neural } = result.absorbed;
    const maxError = (curve: number[]): number =>
      Math.max(...curve.map((v, k) => Math.abs(v - truth[k])));
    console.log(
      JSON.stringify({
        objective: [a.objective, b.objective],
        aic: [a.aic, b.aic],
        residual: [a.residual, b.residual],
        absorbedError: [maxError(firstOrder), maxError(neural)],
        seconds: [a.seconds, b.seconds],
      }),
    );
    expect(a.objective - b.objective).toBeGreaterThan(100);
    expect(b.aic).toBeLessThan(a.aic - 50);
    // First-order absorption pushes its misfit into the residual error (truth: additive 0.05,
    // proportional 0.1); the neural model recovers it.
    expect(a.residual.additive!).toBeGreaterThan(0.15);
    expect(b.residual.additive!).toBeLessThan(0.08);
    expect(Math.abs(b.residual.proportional! - 0.1)).toBeLessThan(0.03);
    expect(maxError(neural)).toBeLessThan(0.5 * maxError(firstOrder));
    const html = readFileSync(
      neuralAbsorptionReport(result).write(
        join(mkdtempSync(join(tmpdir(), 'scichain-')), 'n.html'),
      ),
      'utf8',
    );
    for (const title of [
      'First-order vs neural absorption',
      'Fraction of the dose absorbed',
      'B: neural absorption',
      'Visual predictive check',
    ])
      expect(html).toContain(title);
  });
});
