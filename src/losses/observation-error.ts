/**
 * Losses of predictions against observations at one time: sum of squares, or the Gaussian
 * negative log-likelihood under an additive, proportional or combined residual error model
 * whose parameters live in p (so they are estimated with everything else).
 *
 * Gaussian NLL per observed value: ½·ln(2π) + ½·ln σ² + (h − y)²/(2σ²), with
 *   additive      σ² = a²
 *   proportional  σ² = b²·h²
 *   combined      σ² = a² + b²·h²        (convention 'variance', NONMEM/nlmixr2's usual)
 *                 σ  = a + b·|h|          (convention 'sd')
 * The constant ½·ln(2π) per value is included. NaN observations are missing and skipped.
 */
import { ScichainError, closestName } from '../core/errors.ts';
import type { ParameterLayout } from '../parameters/layout.ts';
import type { Transform } from '../parameters/transforms.ts';

/** A residual-error parameter: the name of a parameter of p, or a fixed value. */
export type ErrorParameter = string | number;

/** How residuals are scored. */
export type ErrorModelSpec =
  | 'sse'
  | { readonly type: 'additive'; readonly sigma: ErrorParameter }
  | { readonly type: 'proportional'; readonly sigma: ErrorParameter }
  | {
      readonly type: 'combined';
      readonly additive: ErrorParameter;
      readonly proportional: ErrorParameter;
      readonly convention: 'variance' | 'sd';
    };

interface ResolvedParameter {
  readonly offset: number; // −1: fixed
  readonly value: number;
  readonly transform: Transform | null;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

const ERROR_MODEL_TYPES = ['additive', 'proportional', 'combined'];

/**
 * Checks the form of an error model (types do not protect JavaScript callers or JSON): `'sse'`
 * or an object with a known `type`; an unknown name is an error naming it and the valid ones.
 */
function checkErrorModel(s: unknown, what: string): void {
  if (s === 'sse') return;
  if (typeof s === 'object' && s !== null) {
    const type = (s as { type?: unknown }).type;
    if (typeof type === 'string' && ERROR_MODEL_TYPES.includes(type)) return;
    const near = typeof type === 'string' ? closestName(type, ERROR_MODEL_TYPES) : undefined;
    throw new ScichainError(
      'UnknownName',
      `${what}: unknown type ${typeof type === 'string' ? `'${type}'` : String(type)}; ${near === undefined ? '' : `did you mean '${near}'? `}valid: ${ERROR_MODEL_TYPES.join(', ')}`,
    );
  }
  const near = typeof s === 'string' ? closestName(s, ['sse']) : undefined;
  throw new ScichainError(
    'UnknownName',
    `${what}: unknown error model ${typeof s === 'string' ? `'${s}'` : String(s)}; ${near === undefined ? '' : `did you mean 'sse'? `}valid: 'sse' or { type: ${ERROR_MODEL_TYPES.map((t) => `'${t}'`).join(' | ')}, … }`,
  );
}

/** Scores one time's predictions h against observations y, with its gradient. */
export class ObservationError {
  readonly names: readonly string[];
  private readonly kinds: Uint8Array; // 0 sse, 1 additive, 2 proportional, 3 combined var, 4 combined sd
  private readonly a: readonly ResolvedParameter[];
  private readonly b: readonly ResolvedParameter[];

  constructor(
    spec: ErrorModelSpec | readonly ErrorModelSpec[],
    names: readonly string[],
    layout: ParameterLayout | undefined,
  ) {
    const m = names.length;
    const specs = Array.isArray(spec)
      ? (spec as readonly ErrorModelSpec[])
      : Array.from({ length: m }, () => spec as ErrorModelSpec);
    if (specs.length !== m) {
      throw new ScichainError(
        'ShapeMismatch',
        `${specs.length} error models for ${m} observed outputs`,
      );
    }
    const resolve = (ref: ErrorParameter, what: string): ResolvedParameter => {
      if (typeof ref === 'number') {
        if (!(ref >= 0) || !Number.isFinite(ref)) {
          throw new ScichainError(
            'InvalidArgument',
            `${what} must be a finite value ≥ 0, got ${ref}`,
          );
        }
        return { offset: -1, value: ref, transform: null };
      }
      if (layout === undefined) {
        throw new ScichainError(
          'InvalidArgument',
          `${what} names parameter '${ref}' but the model has no parameter layout; give a number`,
        );
      }
      const b = layout.block(ref);
      if (b.kind !== 'scalar')
        throw new ScichainError('InvalidArgument', `${what} '${ref}' must be a scalar parameter`);
      return { offset: b.offset, value: 0, transform: b.transform };
    };
    const none: ResolvedParameter = { offset: -1, value: 0, transform: null };
    this.names = names;
    this.kinds = new Uint8Array(m);
    const a: ResolvedParameter[] = [];
    const b: ResolvedParameter[] = [];
    specs.forEach((s, i) => {
      const what = `error model of '${names[i]}'`;
      checkErrorModel(s, what);
      if (s === 'sse') {
        this.kinds[i] = 0;
        a.push(none);
        b.push(none);
      } else if (s.type === 'additive') {
        this.kinds[i] = 1;
        a.push(resolve(s.sigma, `${what}: sigma`));
        b.push(none);
      } else if (s.type === 'proportional') {
        this.kinds[i] = 2;
        a.push(none);
        b.push(resolve(s.sigma, `${what}: sigma`));
      } else if (s.type === 'combined') {
        if (s.convention !== 'variance' && s.convention !== 'sd') {
          throw new ScichainError(
            'InvalidArgument',
            `${what}: convention must be 'variance' (σ² = a² + b²h²) or 'sd' (σ = a + b|h|)`,
          );
        }
        this.kinds[i] = s.convention === 'variance' ? 3 : 4;
        a.push(resolve(s.additive, `${what}: additive`));
        b.push(resolve(s.proportional, `${what}: proportional`));
      } else {
        throw new ScichainError(
          'InvalidArgument',
          `${what}: unknown type '${(s as { type: string }).type}'`,
        );
      }
    });
    this.a = a;
    this.b = b;
  }

  /** Whether any output is scored by a likelihood (error parameters matter). */
  get isLikelihood(): boolean {
    return this.kinds.some((k) => k !== 0);
  }

  /**
   * Loss of predictions `h` against observations `y` (NaN = missing) at time `t`; writes ∂/∂h
   * into `hBar` and accumulates ∂/∂p (error parameters) into `pBar` when it is not null.
   */
  evaluate(
    h: Float64Array,
    y: Float64Array,
    p: Float64Array,
    t: number,
    hBar: Float64Array,
    pBar: Float64Array | null,
  ): number {
    let loss = 0;
    for (let i = 0; i < h.length; i++) {
      hBar[i] = 0;
      const yi = y[i];
      if (Number.isNaN(yi)) continue;
      const r = h[i] - yi;
      const kind = this.kinds[i];
      if (kind === 0) {
        loss += r * r;
        hBar[i] = 2 * r;
        continue;
      }
      const A = this.a[i];
      const B = this.b[i];
      const a = A.offset < 0 ? A.value : A.transform!.toNatural(p[A.offset]);
      const b = B.offset < 0 ? B.value : B.transform!.toNatural(p[B.offset]);
      const hi = h[i];
      let variance: number;
      let dVdh: number;
      let dVda: number;
      let dVdb: number;
      if (kind === 1) {
        variance = a * a;
        dVdh = 0;
        dVda = 2 * a;
        dVdb = 0;
      } else if (kind === 2) {
        variance = b * b * hi * hi;
        dVdh = 2 * b * b * hi;
        dVda = 0;
        dVdb = 2 * b * hi * hi;
      } else if (kind === 3) {
        variance = a * a + b * b * hi * hi;
        dVdh = 2 * b * b * hi;
        dVda = 2 * a;
        dVdb = 2 * b * hi * hi;
      } else {
        const sd = a + b * Math.abs(hi);
        variance = sd * sd;
        dVdh = 2 * sd * b * Math.sign(hi);
        dVda = 2 * sd;
        dVdb = 2 * sd * Math.abs(hi);
      }
      if (!(variance > 0) || !Number.isFinite(variance)) {
        throw new ScichainError(
          'NonFinite',
          `residual variance of '${this.names[i]}' at t = ${t} is ${variance} (prediction ${hi}); a proportional error needs a non-zero prediction — add an additive part`,
        );
      }
      loss += HALF_LOG_2PI + 0.5 * Math.log(variance) + (r * r) / (2 * variance);
      // ∂/∂V of ½ln V + r²/(2V).
      const dV = 0.5 / variance - (r * r) / (2 * variance * variance);
      hBar[i] = r / variance + dV * dVdh;
      if (pBar !== null) {
        if (A.offset >= 0 && dVda !== 0)
          pBar[A.offset] += dV * dVda * A.transform!.derivative(p[A.offset]);
        if (B.offset >= 0 && dVdb !== 0)
          pBar[B.offset] += dV * dVdb * B.transform!.derivative(p[B.offset]);
      }
    }
    return loss;
  }
}
