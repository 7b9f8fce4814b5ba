/**
 * Closed-form linear PK: amounts (and central concentrations) of mammillary models under a dose
 * schedule, with no ODE solver.
 *
 * A model is an optional depot (first-order absorption, rate ka, into the central compartment)
 * in front of a 1-, 2- or 3-compartment disposition. For a time step Δ the solution of
 * a′ = K·a + r (r the infusion rates, constant over the step) is
 *
 *   a(t + Δ) = E(Δ)·a(t) + G(Δ)·r,   E(Δ) = e^{KΔ},   G(Δ) = ∫₀^Δ e^{Ks} ds,
 *
 * and both are superpositions of exponentials: the disposition part Σᵢ e^{−λᵢΔ}·Qᵢ (see
 * `disposition.ts`), the depot e^{−ka·Δ}, and the depot → disposition transfer
 * ka·Σᵢ Qᵢ[·, central]·h(λᵢ, ka, Δ) with h (and its integral ψ for infusions into the depot)
 * from `exponential-kernels.ts` — exact also when ka equals a disposition rate (ka = k gives
 * ka·t·e^{−kt}, with no special case). Superposing all doses is done incrementally: the state
 * is advanced from one event (dose, infusion switch, reset, steady state) or output time to the
 * next, so a prediction costs O(events + outputs) rather than O(events × outputs).
 *
 * Steady state (`steadyState`) is analytic: the periodic state before a dose solves
 * (I − E(II))·x = b, b the state one interval after the regimen's input from zero — the
 * geometric series Σₖ E(II)ᵏ·b, i.e. the accumulation factor 1/(1 − e^{−λ·II}) per exponential
 * in spectral form; a constant infusion gives K·x = −r.
 *
 * After `setParameters`, evaluation allocates nothing beyond the output buffers passed in.
 * Resets return to zero amounts.
 */
import { ScichainError } from '../../core/errors.ts';
import type { DoseSchedule } from '../dosing/dose-schedule.ts';
import { doseTimeline, TimelineAction, type DoseTimeline } from '../dosing/dose-timeline.ts';
import type { PeriodicInput } from '../dosing/periodic-input.ts';
import type { SteadyStateFunction } from '../dosing/schedule-events.ts';
import {
  dispositionMatrix,
  dispositionProjectors,
  dispositionRates,
  type MicroConstants,
} from './disposition.ts';
import { decayDifference, decayDifferenceIntegral, phi1 } from './exponential-kernels.ts';
import { luFactor, luSolve } from '../../linalg/lu.ts';

/** Which side of an event time an output takes: after the events there (default) or before. */
export type EventSide = 'left' | 'right';

/** The shared machinery of the closed-form models; use the concrete classes. */
export abstract class ClosedFormPkModel {
  /** Number of compartments n (CMT 1 … n). */
  readonly compartments: number;
  readonly compartmentNames: readonly string[];
  /** 0-based index of the central compartment (1 with a depot, else 0). */
  readonly centralIndex: number;
  /** Whether CMT 1 is a depot with first-order absorption. */
  readonly hasDepot: boolean;
  /** Disposition size m (1, 2 or 3). */
  private readonly size: number;
  /** Eigenvalues λ of the disposition (descending). */
  private readonly lambda: Float64Array;
  /** Sylvester projectors Qᵢ of the disposition, m × m each. */
  private readonly projectors: Float64Array;
  /** Full rate matrix K (n × n). */
  private readonly rateMatrix: Float64Array;
  private ka = 0;
  private volume = NaN;
  private ready = false;
  private readonly micro: MicroConstants = { k10: 0, k12: 0, k21: 0, k13: 0, k31: 0 };
  // Scratch (sized once).
  private readonly E: Float64Array;
  private readonly G: Float64Array;
  private readonly A: Float64Array;
  private readonly state: Float64Array;
  private readonly rates: Float64Array;
  private readonly next: Float64Array;
  private readonly steady: Float64Array;
  private readonly expDecay: Float64Array;
  private readonly intDecay: Float64Array;
  private readonly transfer: Float64Array;
  private readonly intTransfer: Float64Array;
  /**
   * [current time, step] of an evaluation. Doubles live here rather than in arguments and
   * return values, which V8 boxes (allocates) when a call is not inlined.
   */
  private readonly clock = new Float64Array(2);
  /** Row swaps of the steady-state LU solves. */
  private readonly pivot: Int32Array;

  protected constructor(size: number, hasDepot: boolean, names: readonly string[]) {
    this.size = size;
    this.hasDepot = hasDepot;
    this.compartments = size + (hasDepot ? 1 : 0);
    this.pivot = new Int32Array(this.compartments);
    this.centralIndex = hasDepot ? 1 : 0;
    this.compartmentNames = names;
    const n = this.compartments;
    this.lambda = new Float64Array(size);
    this.projectors = new Float64Array(size * size * size);
    this.rateMatrix = new Float64Array(n * n);
    this.E = new Float64Array(n * n);
    this.G = new Float64Array(n * n);
    this.A = new Float64Array(Math.max(n * n, 2 * size * size));
    this.state = new Float64Array(n);
    this.rates = new Float64Array(n);
    this.next = new Float64Array(n);
    this.steady = new Float64Array(n);
    this.expDecay = new Float64Array(size);
    this.intDecay = new Float64Array(size);
    this.transfer = new Float64Array(size);
    this.intTransfer = new Float64Array(size);
  }

  /** Central volume (concentration = central amount / volume). */
  get centralVolume(): number {
    return this.volume;
  }

  /** Eigenvalues of the disposition (α ≥ β ≥ γ), a copy. */
  get macroRates(): Float64Array {
    return Float64Array.from(this.lambda);
  }

  /** Absorption rate constant ka (0 without a depot). */
  get absorptionRate(): number {
    return this.ka;
  }

  /** Sets the disposition from micro-constants; called by the concrete `setParameters`. */
  protected setMicro(
    volume: number,
    k10: number,
    k12: number,
    k21: number,
    k13: number,
    k31: number,
    ka: number,
  ): void {
    const m = this.micro;
    m.k10 = k10;
    m.k12 = k12;
    m.k21 = k21;
    m.k13 = k13;
    m.k31 = k31;
    this.ka = ka;
    this.volume = volume;
    const size = this.size;
    // Disposition matrix into the top-left corner of A, then eigenvalues and projectors.
    const Kd = this.G; // scratch, size² ≤ n²
    dispositionMatrix(size, m, Kd);
    dispositionRates(size, m, this.lambda);
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) {
        if (!(this.lambda[i] > this.lambda[j])) {
          throw new ScichainError(
            'InvalidArgument',
            `${this.constructor.name}: the disposition rates ${this.lambda[i]} and ${this.lambda[j]} coincide; the closed form needs distinct macro-constants`,
          );
        }
      }
    }
    dispositionProjectors(size, Kd, this.lambda, this.projectors, this.A);
    // Full K with the depot in front.
    const n = this.compartments;
    const d0 = this.hasDepot ? 1 : 0;
    const K = this.rateMatrix;
    K.fill(0);
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) K[(i + d0) * n + j + d0] = Kd[i * size + j];
    }
    if (this.hasDepot) {
      K[0] = -ka;
      K[n + 0] = ka;
    }
    this.ready = true;
  }

  /**
   * E(Δ) = e^{KΔ} into `E` and, unless `G` is null, G(Δ) = ∫₀^Δ e^{Ks} ds into `G` (n × n,
   * row-major; E[i·n + j] = amount in i at Δ per unit in j at 0).
   */
  transition(dt: number, E: Float64Array, G: Float64Array | null): void {
    this.requireReady();
    this.clock[1] = dt;
    this.transitionOverStep(E, G);
  }

  /** {@link transition} over the step stored in clock[1]. */
  private transitionOverStep(E: Float64Array, G: Float64Array | null): void {
    const dt = this.clock[1];
    const n = this.compartments;
    const size = this.size;
    const d0 = this.hasDepot ? 1 : 0;
    const nn = size * size;
    const Q = this.projectors;
    const lambda = this.lambda;
    for (let i = 0; i < size; i++) {
      this.expDecay[i] = Math.exp(-lambda[i] * dt);
      if (G !== null) this.intDecay[i] = dt * phi1(lambda[i] * dt);
    }
    E.fill(0, 0, n * n);
    if (G !== null) G.fill(0, 0, n * n);
    for (let x = 0; x < size; x++) {
      for (let y = 0; y < size; y++) {
        let e = 0;
        let g = 0;
        for (let i = 0; i < size; i++) {
          const q = Q[i * nn + x * size + y];
          e += q * this.expDecay[i];
          if (G !== null) g += q * this.intDecay[i];
        }
        E[(x + d0) * n + y + d0] = e;
        if (G !== null) G[(x + d0) * n + y + d0] = g;
      }
    }
    if (!this.hasDepot) return;
    const ka = this.ka;
    E[0] = Math.exp(-ka * dt);
    if (G !== null) G[0] = dt * phi1(ka * dt);
    for (let i = 0; i < size; i++) {
      this.transfer[i] = ka * decayDifference(lambda[i], ka, dt);
      if (G !== null) this.intTransfer[i] = ka * decayDifferenceIntegral(lambda[i], ka, dt);
    }
    for (let x = 0; x < size; x++) {
      let e = 0;
      let g = 0;
      for (let i = 0; i < size; i++) {
        const q = Q[i * nn + x * size]; // Qᵢ[x, central]
        e += q * this.transfer[i];
        if (G !== null) g += q * this.intTransfer[i];
      }
      E[(x + 1) * n] = e;
      if (G !== null) G[(x + 1) * n] = g;
    }
  }

  /**
   * The analytic steady state of a regimen at its record time, before the record's own dose
   * (n amounts into `out`).
   */
  steadyState(
    input: PeriodicInput,
    out: Float64Array = new Float64Array(this.compartments),
  ): Float64Array {
    this.requireReady();
    const n = this.compartments;
    const dose = input.dose;
    const c = dose.cmt - 1;
    if (c < 0 || c >= n) {
      throw new ScichainError(
        'InvalidArgument',
        `dose row ${dose.row}: CMT ${dose.cmt} is not a compartment of this ${n}-compartment model`,
      );
    }
    const A = this.A;
    const x = out;
    x.fill(0, 0, n);
    if (input.period === 0) {
      // K·x = −r e_c.
      A.set(this.rateMatrix);
      x[c] = -input.constantRate;
      if (!luFactor(A, n, this.pivot)) this.singular(dose.row);
      luSolve(A, n, this.pivot, x);
      return x;
    }
    const ii = input.period;
    const E = this.E;
    const G = this.G;
    const tmp = this.next;
    if (input.pieceRate.length === 0) {
      if (input.bolusAmount > 0) {
        this.clock[1] = ii - input.bolusPhase;
        this.transitionOverStep(E, null);
        for (let i = 0; i < n; i++) x[i] = E[i * n + c] * input.bolusAmount;
      }
    } else {
      for (let j = 0; j < input.pieceRate.length; j++) {
        this.clock[1] = input.pieceEnd[j] - input.pieceStart[j];
        this.transitionOverStep(E, G);
        const r = input.pieceRate[j];
        for (let i = 0; i < n; i++) {
          let s = G[i * n + c] * r;
          for (let k = 0; k < n; k++) s += E[i * n + k] * x[k];
          tmp[i] = s;
        }
        x.set(tmp);
      }
    }
    // (I − E(II))·x = b.
    this.clock[1] = ii;
    this.transitionOverStep(E, null);
    for (let i = 0; i < n * n; i++) A[i] = -E[i];
    for (let i = 0; i < n; i++) A[i * n + i] += 1;
    if (!luFactor(A, n, this.pivot)) this.singular(dose.row);
    luSolve(A, n, this.pivot, x);
    return x;
  }

  private singular(row: number): never {
    throw new ScichainError(
      'InvalidState',
      `steady state of dose row ${row}: the linear system is singular (is there no elimination?)`,
    );
  }

  /** The analytic steady state as a `scheduleEvents` steady-state function (same CMT order). */
  steadyStateFunction(): SteadyStateFunction {
    return (input) => this.steadyState(input, new Float64Array(this.compartments));
  }

  /**
   * Amounts of every compartment at `times` (non-decreasing), row-major times.length × n into
   * `out`. Pass a compiled `doseTimeline` and an `out` buffer to allocate nothing.
   */
  amountsAt(
    schedule: DoseTimeline | DoseSchedule,
    times: ArrayLike<number>,
    out: Float64Array = new Float64Array(times.length * this.compartments),
    side: EventSide = 'right',
  ): Float64Array {
    return this.evaluate(this.timelineOf(schedule), times, out, side, false);
  }

  /** Central concentrations (central amount / V) at `times` (non-decreasing) into `out`. */
  concentrationsAt(
    schedule: DoseTimeline | DoseSchedule,
    times: ArrayLike<number>,
    out: Float64Array = new Float64Array(times.length),
    side: EventSide = 'right',
  ): Float64Array {
    return this.evaluate(this.timelineOf(schedule), times, out, side, true);
  }

  private timelineOf(schedule: DoseTimeline | DoseSchedule): DoseTimeline {
    const timeline = 'action' in schedule ? schedule : doseTimeline(schedule, this.compartments);
    if (timeline.compartments > this.compartments) {
      throw new ScichainError(
        'InvalidArgument',
        `the timeline was compiled for ${timeline.compartments} compartments; this model has ${this.compartments}`,
      );
    }
    return timeline;
  }

  private evaluate(
    timeline: DoseTimeline,
    times: ArrayLike<number>,
    out: Float64Array,
    side: EventSide,
    concentration: boolean,
  ): Float64Array {
    this.requireReady();
    const n = this.compartments;
    const needed = concentration ? times.length : times.length * n;
    if (out.length < needed) {
      throw new ScichainError(
        'ShapeMismatch',
        `the output buffer has ${out.length} entries but ${needed} are needed`,
      );
    }
    const u = this.state;
    const rates = this.rates;
    u.fill(0);
    rates.fill(0);
    let infusing = 0; // number of non-zero rates
    this.clock[0] = NaN; // nothing has happened yet: the state is 0 at any time
    let j = 0;
    const right = side === 'right';
    let last = -Infinity;
    for (let o = 0; o < times.length; o++) {
      const t = times[o];
      if (!(t >= last)) {
        throw new ScichainError(
          'InvalidArgument',
          `output times must be finite and non-decreasing; times[${o}] = ${t} follows ${last}`,
        );
      }
      last = t;
      while (j < timeline.length && (timeline.time[j] < t || (right && timeline.time[j] === t))) {
        this.advance(timeline.time[j], infusing > 0);
        const k = timeline.index[j];
        const value = timeline.value[j];
        switch (timeline.action[j]) {
          case TimelineAction.Reset:
            u.fill(0);
            break;
          case TimelineAction.SteadyState: {
            const input = timeline.steadyStates[value];
            this.steadyState(input, this.steady);
            if (input.dose.mode === 1) u.set(this.steady);
            else for (let i = 0; i < n; i++) u[i] += this.steady[i];
            break;
          }
          case TimelineAction.SetRate:
            if (rates[k] === 0 && value !== 0) infusing++;
            else if (rates[k] !== 0 && value === 0) infusing--;
            rates[k] = value;
            break;
          default:
            u[k] += value;
        }
        j++;
      }
      this.advance(t, infusing > 0);
      if (concentration) out[o] = u[this.centralIndex] / this.volume;
      else for (let i = 0; i < n; i++) out[o * n + i] = u[i];
    }
    return out;
  }

  /** Moves the state from the clock's time to `to`. */
  private advance(to: number, infusing: boolean): void {
    const from = this.clock[0];
    if (Number.isNaN(from)) {
      this.clock[0] = to;
      return;
    }
    const dt = to - from;
    if (!(dt > 0)) return;
    this.clock[0] = to;
    this.clock[1] = dt;
    const n = this.compartments;
    const E = this.E;
    const G = this.G;
    const u = this.state;
    const r = this.rates;
    const v = this.next;
    this.transitionOverStep(E, infusing ? G : null);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += E[i * n + k] * u[k];
      if (infusing) for (let k = 0; k < n; k++) s += G[i * n + k] * r[k];
      v[i] = s;
    }
    u.set(v);
  }

  private requireReady(): void {
    if (!this.ready) {
      throw new ScichainError('InvalidState', `${this.constructor.name}: call setParameters first`);
    }
  }
}

/** Throws unless `value` is finite and > 0, naming the model and the parameter. */
export function requirePositiveParameter(model: string, name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ScichainError(
      'InvalidArgument',
      `${model}: parameter ${name} must be finite and > 0, got ${value}`,
    );
  }
}
