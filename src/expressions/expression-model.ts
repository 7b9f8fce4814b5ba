/**
 * Models from expressions: named states, named scalar parameters (slices of θ, with
 * transforms), terms (networks, surrogates — any layer) and one mathjs expression per state:
 *
 *   expressionModel({
 *     states: ['depot', 'central'],
 *     parameters: { ka: 1, cl: scalar(2, { transform: 'positive' }), v: 10 },
 *     terms: { nn: chain(2, dense(5, 'tanh'), dense(1)) },
 *     equations: { depot: '-ka*depot', central: 'ka*depot - cl/v*central + nn(depot, central)' },
 *   })
 *
 * The expressions are parsed and differentiated once; value, VJP, JVP and Jacobian run as
 * generated JavaScript. p is θ of the model's own {@link ParameterLayout}: the parameters in
 * declaration order, then each term's block.
 */
import { ScichainError } from '../core/errors.ts';
import type { FloatArray } from '../core/dtype.ts';
import type { Layer } from '../nn/layer.ts';
import {
  parameters,
  scalar,
  type ParameterLayout,
  type ScalarBlockSpec,
} from '../parameters/layout.ts';
import type { Rng } from '../core/rng.ts';
import {
  jacobianFromVjp,
  jvpFromJacobian,
  type OdeModel,
  type RhsJacobian,
  type RhsJvp,
  type RhsVjp,
} from '../model/ode-model.ts';
import type { Observation } from '../model/observation.ts';
import { compileSystem, type CompileContext, type CompiledSystem } from './compile.ts';
import { checkNames, parseSystem, type SymbolTable } from './parse.ts';

/** What {@link expressionModel} takes. */
export interface ExpressionModelSpec {
  /** State names, in the order of u. */
  readonly states: readonly string[];
  /** Scalar parameters: an initial natural value, or a `scalar(value, { transform })` block. */
  readonly parameters?: Readonly<Record<string, number | ScalarBlockSpec>>;
  /** Terms callable in expressions as `name(args…)[k]` (1-based output index, as in mathjs). */
  readonly terms?: Readonly<Record<string, Layer>>;
  /** Intermediate variables, e.g. `{ conc: 'central/v' }`; each may use the ones before it. */
  readonly definitions?: Readonly<Record<string, string>>;
  /** One expression per state: du/dt. */
  readonly equations: Readonly<Record<string, string>>;
  /** Name of the time variable (default `t`). */
  readonly time?: string;
}

/** An {@link OdeModel} compiled from expressions; see {@link expressionModel}. */
export class ExpressionModel implements OdeModel {
  readonly stateCount: number;
  readonly stateNames: readonly string[];
  readonly paramCount: number;
  /** Layout of p: parameters (with transforms) then terms. */
  readonly layout: ParameterLayout;
  readonly f: (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;
  readonly vjp: RhsVjp;
  readonly jvp: RhsJvp;
  readonly jacobian: RhsJacobian;
  readonly tgrad?: (dt: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;
  readonly autonomous: boolean;
  /** The generated JavaScript of the right-hand side. */
  readonly source: string;
  private readonly table: SymbolTable;
  private readonly context: CompileContext;

  constructor(spec: ExpressionModelSpec) {
    if (!Array.isArray(spec.states) || spec.states.length === 0) {
      throw new ScichainError('InvalidArgument', 'a model needs at least one state');
    }
    const record = (value: unknown, what: string): void => {
      if (value !== undefined && (value === null || typeof value !== 'object')) {
        throw new ScichainError('InvalidArgument', `${what} must be an object of name → value`);
      }
    };
    record(spec.equations ?? null, 'equations');
    record(spec.parameters, 'parameters');
    record(spec.terms, 'terms');
    record(spec.definitions, 'definitions');
    const params = spec.parameters ?? {};
    const terms = spec.terms ?? {};
    for (const [name, v] of Object.entries(params) as [string, unknown][]) {
      if (typeof v !== 'number' && (v === null || typeof v !== 'object')) {
        throw new ScichainError(
          'InvalidArgument',
          `parameter '${name}' must be a number or scalar(value, options), got ${String(v)}`,
        );
      }
    }
    for (const [name, l] of Object.entries(terms) as [string, unknown][]) {
      const layer = l as Partial<Layer> | null;
      if (
        layer === null ||
        typeof layer !== 'object' ||
        !Number.isInteger(layer.inputSize) ||
        !Number.isInteger(layer.outputSize)
      ) {
        throw new ScichainError('InvalidArgument', `term '${name}' must be a layer`);
      }
    }
    this.table = {
      states: spec.states,
      parameters: Object.keys(params),
      terms: new Map(
        Object.entries(terms).map(([k, l]) => [
          k,
          { inputSize: l.inputSize, outputSize: l.outputSize },
        ]),
      ),
      definitions: Object.entries(spec.definitions ?? {}),
      time: spec.time ?? 't',
    };
    checkNames(this.table);
    for (const name of Object.keys(spec.equations)) {
      if (!spec.states.includes(name)) {
        throw new ScichainError(
          'UnknownName',
          `there is an equation for '${name}' but no such state (states: ${spec.states.join(', ')})`,
        );
      }
    }
    // Own keys only: a state named `constructor` must not find Object.prototype's.
    const missing = spec.states.filter((s) => !Object.hasOwn(spec.equations, s));
    if (missing.length > 0) {
      throw new ScichainError('InvalidArgument', `no equation for state(s) ${missing.join(', ')}`);
    }
    this.layout = parameters({
      ...Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k, typeof v === 'number' ? scalar(v) : v]),
      ),
      ...terms,
    });
    this.context = {
      table: this.table,
      parameters: new Map(
        this.table.parameters.map((name) => {
          const b = this.layout.block(name);
          return [name, { offset: b.offset, transform: b.transform }];
        }),
      ),
      terms: new Map(
        Object.entries(terms).map(([name, layer]) => [
          name,
          { layer, offset: this.layout.offset(name) },
        ]),
      ),
    };
    const describe = (name: string): string => `equation for '${name}'`;
    const parsed = parseSystem(
      this.table,
      spec.states.map((s) => [s, spec.equations[s]] as const),
      describe,
    );
    const system = compileSystem(parsed, this.context, describe);
    this.stateCount = spec.states.length;
    this.stateNames = [...spec.states];
    this.paramCount = this.layout.paramCount;
    this.f = system.value;
    this.vjp = system.vjp;
    this.jacobian =
      system.jacobian ?? jacobianFromVjp(system.vjp, this.stateCount, this.paramCount);
    this.jvp = system.jvp ?? jvpFromJacobian(this.jacobian, this.stateCount);
    this.autonomous = !system.dependsOnTime;
    if (system.tgrad !== null) this.tgrad = system.tgrad;
    this.source = system.source;
  }

  /** Seeded initialisation of p (parameters at their declared values, terms by their init). */
  init(theta: FloatArray, offset: number, rng: Rng): void {
    this.layout.init(theta, offset, rng);
  }

  /** A fresh p, initialised with `seed`. */
  initialParameters(seed = 0): Float64Array {
    return this.layout.initial({ seed, dtype: 'float64' }) as Float64Array;
  }

  /** Offset in p of a parameter or term block. */
  offset(name: string): number {
    return this.layout.offset(name);
  }

  /**
   * An observation function from expressions over the model's states, parameters, terms and
   * definitions, e.g. `{ conc: 'central/v' }` (compiled like the equations).
   */
  observation(
    outputs: Readonly<Record<string, string>>,
  ): Observation & { readonly source: string } {
    if (outputs === null || typeof outputs !== 'object') {
      throw new ScichainError('InvalidArgument', 'an observation needs { name: expression }');
    }
    const names = Object.keys(outputs);
    if (names.length === 0)
      throw new ScichainError('InvalidArgument', 'an observation needs at least one output');
    const describe = (name: string): string => `observation '${name}'`;
    const parsed = parseSystem(
      this.table,
      names.map((k) => [k, outputs[k]] as const),
      describe,
    );
    const system: CompiledSystem = compileSystem(parsed, this.context, describe);
    return {
      outputCount: names.length,
      names,
      value: system.value,
      vjp: system.vjp,
      source: system.source,
    };
  }
}

/** Compiles a model from expressions; see {@link ExpressionModel}. */
export function expressionModel(spec: ExpressionModelSpec): ExpressionModel {
  return new ExpressionModel(spec);
}
