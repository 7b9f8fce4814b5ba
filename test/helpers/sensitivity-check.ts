/** Every sensitivity method against central differences of the loss and against each other. */
import { expect } from 'vitest';
import { odeObjective, type OdeObjectiveSpec, type SensitivityMethod } from '../../src/index.ts';
import { centralDifferences, relativeError } from './finite-differences.ts';

export const SENSITIVITY_METHODS: readonly SensitivityMethod[] = [
  'quadrature',
  'interpolating',
  'backsolve',
  'forward',
];

/**
 * Asserts that each method's loss equals the loss-only path (to 1e-7 relative) and its gradient
 * is within `tolerance` (2-norm relative) of central differences (step 1e-5·max(1, |p_k|)) and of
 * the first method's gradient.
 */
export function checkSensitivities(
  spec: OdeObjectiveSpec,
  p: Float64Array,
  methods: readonly SensitivityMethod[] = SENSITIVITY_METHODS,
  tolerance = 1e-5,
): void {
  const lossOnly = odeObjective(spec);
  const q = p.slice();
  const fd = centralDifferences(() => lossOnly.loss(q), q, 1e-5);
  const reference = lossOnly.loss(p);
  const gradients: Float64Array[] = [];
  for (const sensitivity of methods) {
    const objective = odeObjective({ ...spec, sensitivity });
    const g = new Float64Array(p.length);
    const loss = objective.valueAndGradient(p, g);
    expect(Math.abs(loss - reference)).toBeLessThanOrEqual(1e-7 * Math.abs(reference));
    expect(relativeError(g, fd), `${sensitivity} vs finite differences`).toBeLessThan(tolerance);
    gradients.push(g);
  }
  for (let i = 1; i < gradients.length; i++) {
    expect(
      relativeError(gradients[i], gradients[0]),
      `${methods[i]} vs ${methods[0]}`,
    ).toBeLessThan(tolerance);
  }
}
