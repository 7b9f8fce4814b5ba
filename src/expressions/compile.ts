/**
 * Compiles parsed expressions into plain JavaScript functions: value, VJP and — when no term
 * calls are involved — symbolic Jacobian, JVP and ∂/∂t. Expressions become one hash-consed graph
 * (expression-graph.ts), partial derivatives are taken on it with local simplification only
 * (differentiate.ts), and each generated function computes every repeated subexpression once
 * (common-subexpressions.ts): compile time grows about linearly with the model, and the
 * generated code is straight-line and allocation-free.
 *
 * The VJP is reverse mode over a two-level graph: output expressions depend on states,
 * parameters, t and term outputs z; each term call's arguments depend on the same (and on
 * earlier calls' outputs). Cotangents of z are collected from the outputs, passed through the
 * term's own `vjp`, and its input cotangents are carried back through the argument partials.
 */
import { ScichainError } from '../errors.ts';
import type { Layer } from '../nn/layer.ts';
import type { Transform } from '../parameters/transforms.ts';
import type { RhsFunction, RhsJacobian, RhsJvp, RhsVjp } from '../model/ode-model.ts';
import { StraightLineCode } from './common-subexpressions.ts';
import { Differentiator } from './differentiate.ts';
import { EMIT_HELPERS } from './emit-js.ts';
import { ExpressionGraph, isConstant, type Expr } from './expression-graph.ts';
import { isTermOutput, type ParsedSystem, type SymbolTable } from './parse.ts';

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

  // One graph for everything: outputs, call arguments and all their derivatives share nodes.
  const graph = new ExpressionGraph();
  const convert = graph.converter();
  const outputs = parsed.outputs.map((o) => convert(o.node, describe(o.name)));
  const argWhere = (k: number, m: number): string =>
    `argument ${m + 1} of ${parsed.calls[k].term}(…)`;
  const args = parsed.calls.map((c, k) => c.args.map((a, m) => convert(a, argWhere(k, m))));
  const differentiator = new Differentiator(graph);
  /** ∂e/∂s, or null when it is identically 0. */
  const partial = (e: Expr, s: string, where: string): Expr | null => {
    const d = differentiator.derivative(e, s, where);
    return isConstant(d, 0) ? null : d;
  };

  // Which symbols each output and each call argument uses.
  const outputSymbols = outputs.map((o) => o.symbols);
  const argSymbols = args.map((a) => a.map((x) => x.symbols));
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

  // Reads of states and natural parameter values, shared by every function.
  const reads: string[] = [];
  table.states.forEach((s, i) => {
    if (used.has(s)) reads.push(`const u_${i} = u[${i}];`);
  });
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
    reads.push(`const q_${k} = ${read};`);
  });

  /**
   * A function body: the reads, the term calls forward, then `body`'s statements; `roots` are
   * every expression `body` asks code for, so that repeated ones (in arguments too) are
   * computed once.
   */
  const functionBody = (roots: Iterable<Expr>, body: (code: StraightLineCode) => void): string => {
    const code = new StraightLineCode(jsName, [...args.flat(), ...roots]);
    for (const line of reads) code.statement(line);
    parsed.calls.forEach((call, k) => {
      const { offset } = context.terms.get(call.term)!;
      args[k].forEach((a, m) => code.statement(`X${k}[${m}] = ${code.code(a)};`));
      code.statement(
        fused[k] === null
          ? `T${k}.forward(p, ${offset}, X${k}, Y${k}, C${k}, 1);`
          : `F${k}.forward(p, ${offset}, X${k}, Y${k});`,
      );
      call.outputs.forEach((z, j) => {
        if (used.has(z)) code.statement(`const ${z} = Y${k}[${j}];`);
      });
    });
    body(code);
    return code.lines.join('\n    ');
  };

  // Value.
  const valueBody = functionBody(outputs, (code) =>
    outputs.forEach((o, i) => code.statement(`out[${i}] = ${code.code(o)};`)),
  );

  // VJP: the partials of each output and each call argument by each symbol they use.
  const nonTime = (symbols: ReadonlySet<string>): string[] =>
    [...symbols].filter((s) => s !== table.time);
  const outputPartials = parsed.outputs.map((o, i) =>
    nonTime(outputSymbols[i]).flatMap((s) => {
      const d = partial(outputs[i], s, describe(o.name));
      return d === null ? [] : [{ s, d }];
    }),
  );
  const argPartials = args.map((a, k) =>
    a.map((x, m) =>
      nonTime(argSymbols[k][m]).flatMap((s) => {
        const d = partial(x, s, argWhere(k, m));
        return d === null ? [] : [{ s, d }];
      }),
    ),
  );
  const vjpRoots = [...outputPartials.flat(), ...argPartials.flat(2)].map(({ d }) => d);
  const bar = (name: string): string => `b_${jsName(name)}`;
  const vjpBody = functionBody(vjpRoots, (code) => {
    for (const s of nonTime(used)) code.statement(`let ${bar(s)} = 0;`);
    outputPartials.forEach((partials, i) => {
      if (partials.length === 0) return;
      code.statement(`const l_${i} = yBar[${i}];`);
      for (const { s, d } of partials) code.statement(`${bar(s)} += l_${i} * ${code.code(d)};`);
    });
    for (let k = parsed.calls.length - 1; k >= 0; k--) {
      const call = parsed.calls[k];
      const { offset } = context.terms.get(call.term)!;
      call.outputs.forEach((z, j) =>
        code.statement(`YB${k}[${j}] = ${used.has(z) ? bar(z) : '0'};`),
      );
      code.statement(
        fused[k] === null
          ? `T${k}.vjp(p, ${offset}, C${k}, YB${k}, XB${k}, pBar, ${offset}, 1);`
          : `F${k}.vjp(p, ${offset}, YB${k}, XB${k}, pBar, ${offset});`,
      );
      argPartials[k].forEach((partials, m) => {
        if (partials.length === 0) return;
        code.statement(`const xb${k}_${m} = XB${k}[${m}];`);
        for (const { s, d } of partials) {
          code.statement(`${bar(s)} += xb${k}_${m} * ${code.code(d)};`);
        }
      });
    }
    table.states.forEach((s, i) => code.statement(`uBar[${i}] = ${used.has(s) ? bar(s) : '0'};`));
    paramNames.forEach((name, k) => {
      if (!used.has(name)) return;
      const { offset, transform } = context.parameters.get(name)!;
      const t = transform.json.type;
      const chain =
        t === 'identity' ? '' : t === 'log' ? ` * q_${k}` : ` * TR${k}.derivative(p[${offset}])`;
      code.statement(`pBar[${offset}] += ${bar(name)}${chain};`);
    });
  });

  // Symbolic Jacobian, JVP and ∂/∂t where no term is in the way.
  const n = table.states.length;
  let jacobianBody: string | null = null;
  let jvpBody: string | null = null;
  if (parsed.calls.length === 0) {
    const entries = parsed.outputs.map((o, i) =>
      table.states.flatMap((s, j) => {
        if (!outputSymbols[i].has(s)) return [];
        const d = partial(outputs[i], s, describe(o.name));
        return d === null ? [] : [{ j, d }];
      }),
    );
    const roots = entries.flat().map(({ d }) => d);
    jacobianBody = functionBody(roots, (code) => {
      code.statement('J.fill(0);');
      entries.forEach((row, i) => {
        for (const { j, d } of row) code.statement(`J[${i * n + j}] = ${code.code(d)};`);
      });
    });
    jvpBody = functionBody(roots, (code) => {
      entries.forEach((row, i) => {
        const sum = row.map(({ j, d }) => `${code.code(d)} * v[${j}]`);
        code.statement(`out[${i}] = ${sum.length > 0 ? sum.join(' + ') : '0'};`);
      });
    });
  }
  let tgradBody: string | null = null;
  if (dependsOnTime && !callsUseTime) {
    const dt = parsed.outputs.map((o, i) =>
      outputSymbols[i].has(table.time) ? partial(outputs[i], table.time, describe(o.name)) : null,
    );
    tgradBody = functionBody(
      dt.filter((d) => d !== null),
      (code) =>
        dt.forEach((d, i) => code.statement(`dt[${i}] = ${d === null ? '0' : code.code(d)};`)),
    );
  }

  const bindings: string[] = [];
  parsed.calls.forEach((_, k) => {
    bindings.push(
      `const T${k} = T[${k}], C${k} = C[${k}], F${k} = F[${k}], X${k} = X[${k}], Y${k} = Y[${k}], XB${k} = XB[${k}], YB${k} = YB[${k}];`,
    );
  });
  paramNames.forEach((_, k) => bindings.push(`const TR${k} = TR[${k}];`));
  const fn = (name: string, parameters: string, body: string | null): string =>
    body === null
      ? `${name}: null`
      : `${name}: function ${name}(${parameters}) {\n    ${body}\n  }`;
  const source = `"use strict";
${EMIT_HELPERS}
${bindings.join('\n')}
return {
  ${fn('value', 'out, u, p, t', valueBody)},
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
