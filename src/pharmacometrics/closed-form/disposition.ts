/**
 * The disposition (IV) part of a mammillary linear PK model: a central compartment (index 0)
 * exchanging with up to two peripherals, eliminated from the central one. With micro-constants
 * k10 = CL/V, k1i = Qi/V, ki1 = Qi/Vi, the amounts obey a′ = K·a and
 *
 *   e^{K t} = Σᵢ e^{−λᵢ t}·Qᵢ,   Qᵢ = Π_{j≠i} (K + λⱼ I)/(λⱼ − λᵢ)   (Sylvester),
 *
 * the λᵢ > 0 being the eigenvalues of −K (α > β > γ: the macro-constants). The characteristic
 * polynomial is built from the micro-constants as sums of positive products (no cancellation)
 * and its roots are polished by Newton steps. Writes into caller-owned buffers; allocates
 * nothing.
 */

/** Micro-constants of a mammillary disposition with `size` compartments (1, 2 or 3). */
export interface MicroConstants {
  k10: number;
  k12: number;
  k21: number;
  k13: number;
  k31: number;
}

/** Fills the disposition matrix K (size × size, row-major: K[i·size + j] = flow j → i rate). */
export function dispositionMatrix(size: number, c: MicroConstants, K: Float64Array): void {
  K.fill(0, 0, size * size);
  if (size === 1) {
    K[0] = -c.k10;
    return;
  }
  K[0] = -(c.k10 + c.k12 + (size === 3 ? c.k13 : 0));
  K[1] = c.k21;
  K[size] = c.k12;
  K[size + 1] = -c.k21;
  if (size === 3) {
    K[2] = c.k31;
    K[6] = c.k13;
    K[8] = -c.k31;
  }
}

/** Eigenvalues λ of −K, descending, into `lambda`. */
export function dispositionRates(size: number, c: MicroConstants, lambda: Float64Array): void {
  if (size === 1) {
    lambda[0] = c.k10;
    return;
  }
  if (size === 2) {
    // λ² − sλ + k10·k21 = 0; discriminant (k10 + k12 − k21)² + 4·k12·k21 ≥ 0 without cancellation.
    const s = c.k10 + c.k12 + c.k21;
    const e = c.k10 + c.k12 - c.k21;
    const alpha = 0.5 * (s + Math.sqrt(e * e + 4 * c.k12 * c.k21));
    lambda[0] = alpha;
    lambda[1] = (c.k10 * c.k21) / alpha;
    return;
  }
  // λ³ − Tλ² + Mλ − D = 0.
  const T = c.k10 + c.k12 + c.k13 + c.k21 + c.k31;
  const M = c.k10 * c.k21 + c.k10 * c.k31 + c.k12 * c.k31 + c.k13 * c.k21 + c.k21 * c.k31;
  const D = c.k10 * c.k21 * c.k31;
  // Trigonometric solution of the depressed cubic x³ + px + q (λ = x + T/3).
  const shift = T / 3;
  const p = M - (T * T) / 3;
  const q = (-2 * T * T * T) / 27 + (T * M) / 3 - D;
  if (p < 0) {
    const r = 2 * Math.sqrt(-p / 3);
    const arg = Math.max(-1, Math.min(1, ((3 * q) / (2 * p)) * Math.sqrt(-3 / p)));
    const phi = Math.acos(arg) / 3;
    for (let k = 0; k < 3; k++) lambda[k] = shift + r * Math.cos(phi - (2 * Math.PI * k) / 3);
  } else {
    lambda[0] = lambda[1] = lambda[2] = shift + Math.cbrt(-q);
  }
  for (let k = 0; k < 3; k++) {
    let x = lambda[k];
    for (let it = 0; it < 3; it++) {
      const value = ((x - T) * x + M) * x - D;
      const slope = (3 * x - 2 * T) * x + M;
      if (slope === 0) break;
      const step = value / slope;
      x -= step;
      if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
    }
    lambda[k] = x;
  }
  // Descending (three elements: a fixed sorting network, no closure so nothing is allocated).
  for (let pass = 0; pass < 3; pass++) {
    const i = pass === 1 ? 1 : 0; // compare-swap (0,1), (1,2), (0,1)
    const j = i + 1;
    if (lambda[i] < lambda[j]) {
      const t = lambda[i];
      lambda[i] = lambda[j];
      lambda[j] = t;
    }
  }
}

/**
 * Sylvester projectors Qᵢ (size × size each, stored at i·size² …) of K for the eigenvalues
 * λ of −K; `work` holds at least size² numbers.
 */
export function dispositionProjectors(
  size: number,
  K: Float64Array,
  lambda: Float64Array,
  Q: Float64Array,
  work: Float64Array,
): void {
  const nn = size * size;
  for (let i = 0; i < size; i++) {
    const at = i * nn; // Qᵢ starts here
    Q.fill(0, at, at + nn);
    for (let d = 0; d < size; d++) Q[at + d * size + d] = 1;
    for (let j = 0; j < size; j++) {
      if (j === i) continue;
      const scale = 1 / (lambda[j] - lambda[i]);
      // work = Qᵢ·(K + λⱼI)·scale
      for (let r = 0; r < size; r++) {
        for (let col = 0; col < size; col++) {
          let s = Q[at + r * size + col] * lambda[j];
          for (let k = 0; k < size; k++) s += Q[at + r * size + k] * K[k * size + col];
          work[r * size + col] = s * scale;
        }
      }
      for (let e = 0; e < nn; e++) Q[at + e] = work[e];
    }
  }
}
