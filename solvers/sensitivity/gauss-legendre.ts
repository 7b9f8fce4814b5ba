/**
 * Gauss–Legendre nodes and weights on [0, 1]: k nodes integrate polynomials of degree 2k − 1
 * exactly. Computed by Newton's method on the Legendre polynomial (three-term recurrence),
 * accurate to rounding, for any k.
 */
import { requireInteger } from '../../src/core/errors.ts';

/** Nodes x and weights w on [0, 1] (∫₀¹ g ≈ Σ wᵢ g(xᵢ)). */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const cache = new Map<number, QuadratureRule>();

/** The k-point Gauss–Legendre rule on [0, 1]. */
export function gaussLegendre(k: number): QuadratureRule {
  requireInteger(k, 'number of Gauss–Legendre nodes', 1);
  const hit = cache.get(k);
  if (hit) return hit;
  const nodes = new Float64Array(k);
  const weights = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    // Initial guess (Tricomi), then Newton on P_k.
    let x = Math.cos((Math.PI * (i + 0.75)) / (k + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let j = 2; j <= k; j++) {
        const p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      // p1 = P_k(x), p0 = P_{k−1}(x); P_k′ from the derivative identity.
      dp = (k * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // Map [−1, 1] → [0, 1]: node (1 − x)/2 keeps them ascending.
    nodes[i] = (1 - x) / 2;
    weights[i] = 1 / ((1 - x * x) * dp * dp);
  }
  const rule = { nodes, weights };
  cache.set(k, rule);
  return rule;
}
