/**
 * The scalar functions linear PK solutions are made of, written so that nearly equal rate
 * constants (ka ≈ k, the classic "flip-flop" singularity of ka/(ka − k)) lose no accuracy:
 * differences of exponentials are formed as e^{−min·t}·(1 − e^{−|Δ|t})/|Δ| with `expm1`, never
 * as a difference divided by a small difference. All take rate constants ≥ 0 and t ≥ 0.
 */

/** φ₁(x) = (1 − e^{−x})/x, with φ₁(0) = 1 (exact to rounding for every x). */
export function phi1(x: number): number {
  return x === 0 ? 1 : -Math.expm1(-x) / x;
}

/**
 * h(λ, κ, t) = (e^{−λt} − e^{−κt})/(κ − λ) — the amount in a compartment eliminated at rate λ
 * that is fed at t = 0 by a unit amount leaving another at rate κ, divided by κ. Symmetric in
 * λ, κ; equals t·e^{−λt} when λ = κ.
 */
export function decayDifference(lambda: number, kappa: number, t: number): number {
  const low = lambda < kappa ? lambda : kappa;
  const gap = lambda < kappa ? kappa - lambda : lambda - kappa;
  return t * Math.exp(-low * t) * phi1(gap * t);
}

/**
 * ψ(λ, κ, Δ) = ∫₀^Δ h(λ, κ, s) ds = [φ(λ) − φ(κ)]/(κ − λ) with φ(μ) = (1 − e^{−μΔ})/μ: the
 * same transfer when the feeding compartment receives a unit-rate infusion for a time Δ.
 * Evaluated as Δ²·D(λΔ, κΔ), D(a, b) = (φ₁(a) − φ₁(b))/(b − a), by the Taylor series for
 * small arguments, the difference quotient for well separated ones and a rearrangement free of
 * cancellation for close ones.
 */
export function decayDifferenceIntegral(lambda: number, kappa: number, delta: number): number {
  const a0 = lambda * delta;
  const b0 = kappa * delta;
  const a = a0 < b0 ? a0 : b0;
  const b = a0 < b0 ? b0 : a0;
  let d: number;
  if (b <= 1) {
    // D = Σ_{n≥1} (−1)^{n+1} h_{n−1}(a, b)/(n+1)!, h_m the complete homogeneous polynomial.
    let h = 1; // h_0
    let aPower = 1;
    let factorial = 2; // (n + 1)!
    let sign = 1;
    d = 0.5;
    for (let m = 1; m < 30; m++) {
      aPower *= a;
      h = b * h + aPower; // h_m = b·h_{m−1} + a^m
      factorial *= m + 2;
      sign = -sign;
      const term = (sign * h) / factorial;
      d += term;
      if (Math.abs(term) <= 1e-17 * d) break;
    }
  } else if (b - a >= 0.5) {
    d = (phi1(a) - phi1(b)) / (b - a);
  } else {
    // a > 0.5 here: 1 − e^{−a}(1 + a·φ₁(b − a)) ≥ 1 − 1.5·e^{−0.5} ≈ 0.09, no cancellation.
    d = (-Math.expm1(-a) - a * Math.exp(-a) * phi1(b - a)) / (a * b);
  }
  return delta * delta * d;
}
