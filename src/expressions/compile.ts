/**
 * Compiles parsed expressions into plain JavaScript functions: value, VJP and — when no term
 * calls are involved — symbolic Jacobian, JVP and ∂/∂t. Partial derivatives come from mathjs's
 * symbolic `derivative`, once; the generated code is straight-line and allocation-free.
 *
 * The VJP is reverse mode over a two-level graph: output expressions depend on states,
 * parameters, t and term outputs z; each term call's arguments depend on the same (and on
 * earlier calls' outputs). Cotangents of z are collected from the outputs, passed through the
 * term's own `vjp`, and its input cotangents are carried back through the argument partials.
 */
import { derivative, type ConstantNode, type MathNode } from 'mathjs';
import { ScichainError } from '../errors.ts';
import type { Layer } from '../nn/layer.ts';
import type { Transform } from '../parameters/transforms.ts';
import type { RhsFunction, RhsJacobian, RhsJvp, RhsVjp } from '../model/ode-model.ts';
import { EMIT_HELPERS, emitJs } from './emit-js.ts';
import { freeSymbols, isTermOutput, type ParsedSystem, type SymbolTable } from './parse.ts';

/** Where each parameter and term lives in p. */
export interface CompileContext {
  readonly table: SymbolTable;
  /** Offset in p and transform of each scalar parameter, by name. */
  readonly parameters: ReadonlyMap<
    string,
    { readonly offset: number; readonly transform: Transform }
  >;
  /** Layer and offset in p of each term, by name. */
  readonly terms: ReadonlyMap<string, { readonly layer: Layer; readonly offset: number }>;
}

/** The generated functions of one system of output expressions. */
export interface CompiledSystem {
  readonly outputCount: number;
  /** out[i] = expressionᵢ(u, p, t). */
  readonly value: RhsFunction;
  /** uBar = ȳᵀ∂y/∂u (written), pBar += ȳᵀ∂y/∂p. */
  readonly vjp: RhsVjp;
  /** Symbolic ∂y/∂u (outputs × states, row-major), when no term is called. */
  readonly jacobian: RhsJacobian | null;
  readonly jvp: RhsJvp | null;
  /** Symbolic ∂y/∂t, when no term call depends on t. */
  readonly tgrad: ((dt: Float64Array, u: Float64Array, p: Float64Array, t: number) => void) | null;
  readonly dependsOnTime: boolean;
  /** The generated JavaScript (for inspection and debugging). */
  readonly source: string;
}

function partial(node: MathNode, variable: string, where: string): MathNode | null {
  let d: MathNode;
  try {
    d = derivative(node, variable, { simplify: true });
  } catch (e) {
    throw new ScichainError(
      'InvalidArgument',
      `${where}: cannot differentiate "${node.toString()}" with respect to ${variable}: ${(e as Error).message}`,
    );
  }
  if (d.type === 'ConstantNode' && (d as ConstantNode).value === 0) return null;
  return d;
}

/** Compiles a parsed system; `describe(name)` names an output in error messages. */
export function compileSystem(
  parsed: ParsedSystem,
  context: CompileContext,
  describe: (name: string) => string,
): CompiledSystem {
  const { table } = context;
  const stateIndex = new Map(table.states.map((s, i) => [s, i]));
  const paramNames = [...context.parameters.keys()];
  const paramIndex = new Map(paramNames.map((s, i) => [s, i]));
  const jsName = (name: string): string => {
    const i = stateIndex.get(name);
    if (i !== undefined) return `u_${i}`;
    const k = paramIndex.get(name);
    if (k !== undefined) return `q_${k}`;
    if (name === table.time) return 't';
    if (isTermOutput(name)) return name;
    throw new ScichainError('InvalidArgument', `internal: unmapped symbol ${name}`);
  };
  const emit = (node: MathNode): string => emitJs(node, jsName);

  // Which symbols each output and each call argument uses.
  const outputSymbols = parsed.outputs.map((o) => freeSymbols(o.node));
  const argSymbols = parsed.calls.map((c) => c.args.map((a) => freeSymbols(a)));
  const used = new Set<string>();
  for (const s of [...outputSymbols, ...argSymbols.flat()]) for (const x of s) used.add(x);
  const dependsOnTime = used.has(table.time);
  const callsUseTime = argSymbols.flat().some((s) => s.has(table.time));

  // Per-call buffers and caches: each call site has its own, so a term called twice with
  // different arguments keeps both forward records for its pullbacks. Layers that offer a fused
  // single-sample kernel (small dense chains) are called through it: no checks, no per-layer
  // dispatch.
  const layers = parsed.calls.map((c) => context.terms.get(c.term)!.layer);
  const fused = layers.map((l) => l.singleSample?.() ?? null);
  const caches = layers.map((l, k) => (fused[k] === null ? l.createCache('float64', 1) : null));

  // Preamble: read states, natural parameter values, run the term calls forward.
  const pre: string[] = [];
  table.states.forEach((s, i) => {
    if (used.has(s)) pre.push(`const u_${i} = u[${i}];`);
  });
  // Parameters are always read when the VJP needs their natural value for the chain rule.
  paramNames.forEach((name, k) => {
    const { offset, transform } = context.parameters.get(name)!;
    if (!used.has(name)) return;
    const t = transform.json.type;
    const read =
      t === 'identity'
        ? `p[${offset}]`
        : t === 'log'
          ? `Math.exp(p[${offset}])`
          : `TR${k}.toNatural(p[${offset}])`;
    pre.push(`const q_${k} = ${read};`);
  });
  parsed.calls.forEach((call, k) => {
    const { offset } = context.terms.get(call.term)!;
    call.args.forEach((a, m) => pre.push(`X${k}[${m}] = ${emit(a)};`));
    pre.push(
      fused[k] === null
        ? `T${k}.forward(p, ${offset}, X${k}, Y${k}, C${k}, 1);`
        : `F${k}.forward(p, ${offset}, X${k}, Y${k});`,
    );
    call.outputs.forEach((z, j) => {
      if (used.has(z)) pre.push(`const ${z} = Y${k}[${j}];`);
    });
  });
  const preamble = pre.join('\n    ');

  // Value.
  const value = parsed.outputs.map((o, i) => `out[${i}] = ${emit(o.node)};`).join('\n    ');

  // VJP.
  const bar = (name: string): string => `b_${jsName(name)}`;
  const vj: string[] = [];
  const barred = [...used].filter((s) => s !== table.time);
  for (const s of barred) vj.push(`let ${bar(s)} = 0;`);
  parsed.outputs.forEach((o, i) => {
    vj.push(`const l_${i} = yBar[${i}];`);
    for (const s of outputSymbols[i]) {
      if (s === table.time) continue;
      const d = partial(o.node, s, describe(o.name));
      if (d !== null) vj.push(`${bar(s)} += l_${i} * ${emit(d)};`);
    }
  });
  for (let k = parsed.calls.length - 1; k >= 0; k--) {
    const call = parsed.calls[k];
    const { offset } = context.terms.get(call.term)!;
    call.outputs.forEach((z, j) => vj.push(`YB${k}[${j}] = ${used.has(z) ? bar(z) : '0'};`));
    vj.push(
      fused[k] === null
        ? `T${k}.vjp(p, ${offset}, C${k}, YB${k}, XB${k}, pBar, ${offset}, 1);`
        : `F${k}.vjp(p, ${offset}, YB${k}, XB${k}, pBar, ${offset});`,
    );
    call.args.forEach((a, m) => {
      const where = `argument ${m + 1} of ${call.term}(…)`;
      const terms: string[] = [];
      for (const s of argSymbols[k][m]) {
        if (s === table.time) continue;
        const d = partial(a, s, where);
        if (d !== null) terms.push(`${bar(s)} += xb * ${emit(d)};`);
      }
      if (terms.length > 0) vj.push(`{ const xb = XB${k}[${m}]; ${terms.join(' ')} }`);
    });
  }
  table.states.forEach((s, i) => vj.push(`uBar[${i}] = ${used.has(s) ? bar(s) : '0'};`));
  paramNames.forEach((name, k) => {
    if (!used.has(name)) return;
    const { offset, transform } = context.parameters.get(name)!;
    const t = transform.json.type;
    const chain =
      t === 'identity' ? '' : t === 'log' ? ` * q_${k}` : ` * TR${k}.derivative(p[${offset}])`;
    vj.push(`pBar[${offset}] += ${bar(name)}${chain};`);
  });
  const vjpBody = vj.join('\n    ');

  // Symbolic Jacobian, JVP and ∂/∂t where no term is in the way.
  const n = table.states.length;
  let jacobianBody: string | null = null;
  let jvpBody: string | null = null;
  if (parsed.calls.length === 0) {
    const jac: string[] = [`J.fill(0);`];
    const jv: string[] = [];
    parsed.outputs.forEach((o, i) => {
      const sum: string[] = [];
      table.states.forEach((s, j) => {
        if (!outputSymbols[i].has(s)) return;
        const d = partial(o.node, s, describe(o.name));
        if (d === null) return;
        const code = emit(d);
        jac.push(`J[${i * n + j}] = ${code};`);
        sum.push(`${code} * v[${j}]`);
      });
      jv.push(`out[${i}] = ${sum.length > 0 ? sum.join(' + ') : '0'};`);
    });
    jacobianBody = jac.join('\n    ');
    jvpBody = jv.join('\n    ');
  }
  let tgradBody: string | null = null;
  if (dependsOnTime && !callsUseTime) {
    tgradBody = parsed.outputs
      .map((o, i) => {
        const d = outputSymbols[i].has(table.time)
          ? partial(o.node, table.time, describe(o.name))
          : null;
        return `dt[${i}] = ${d === null ? '0' : emit(d)};`;
      })
      .join('\n    ');
  }

  const bindings: string[] = [];
  parsed.calls.forEach((_, k) => {
    bindings.push(
      `const T${k} = T[${k}], C${k} = C[${k}], F${k} = F[${k}], X${k} = X[${k}], Y${k} = Y[${k}], XB${k} = XB[${k}], YB${k} = YB[${k}];`,
    );
  });
  paramNames.forEach((_, k) => bindings.push(`const TR${k} = TR[${k}];`));
  const fn = (name: string, args: string, body: string | null): string =>
    body === null
      ? `${name}: null`
      : `${name}: function ${name}(${args}) {\n    ${preamble}\n    ${body}\n  }`;
  const source = `"use strict";
${EMIT_HELPERS}
${bindings.join('\n')}
return {
  ${fn('value', 'out, u, p, t', value)},
  ${fn('vjp', 'yBar, u, p, t, uBar, pBar', vjpBody)},
  ${fn('jacobian', 'J, u, p, t', jacobianBody)},
  ${fn('jvp', 'v, u, p, t, out', jvpBody)},
  ${fn('tgrad', 'dt, u, p, t', tgradBody)},
};`;

  const buffers = (size: (l: Layer) => number): Float64Array[] =>
    layers.map((l) => new Float64Array(size(l)));
  const factory = new Function('T', 'C', 'F', 'X', 'Y', 'XB', 'YB', 'TR', source) as (
    ...args: unknown[]
  ) => {
    value: CompiledSystem['value'];
    vjp: CompiledSystem['vjp'];
    jacobian: RhsJacobian | null;
    jvp: RhsJvp | null;
    tgrad: CompiledSystem['tgrad'];
  };
  const built = factory(
    layers,
    caches,
    fused,
    buffers((l) => l.inputSize),
    buffers((l) => l.outputSize),
    buffers((l) => l.inputSize),
    buffers((l) => l.outputSize),
    paramNames.map((name) => context.parameters.get(name)!.transform),
  );
  return {
    outputCount: parsed.outputs.length,
    value: built.value,
    vjp: built.vjp,
    jacobian: built.jacobian,
    jvp: built.jvp,
    tgrad: built.tgrad,
    dependsOnTime,
    source,
  };
}
