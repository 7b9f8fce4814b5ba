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
import { ScichainError } from '../core/errors.ts';
import type { Layer } from '../nn/layer.ts';
import type { Transform } from '../parameters/transforms.ts';
import type { RhsFunction, RhsJacobian, RhsJvp, RhsVjp } from '../model/ode-model.ts';
import { StraightLineCode, distinctOperations } from './common-subexpressions.ts';
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

/**
 * Most operations plus statements one generated function holds before its statements are split
 * into helper functions: V8 does not optimise functions of more than 60 KB of bytecode, and an
 * unoptimised right-hand side runs several times slower (the VJP of six 50-term equations:
 * about 300 µs per call in one function, 50 µs split). Split bodies cost a little: helpers read
 * their own inputs and share no subexpressions across helpers.
 */
const MAX_FUNCTION_COST = 1000;

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

  /** Reads of the states, natural parameter values and (`fromBuffers`) term outputs in `symbols`. */
  const readsOf = (symbols: ReadonlySet<string>, fromBuffers: boolean): string[] => {
    const reads: string[] = [];
    table.states.forEach((s, i) => {
      if (symbols.has(s)) reads.push(`const u_${i} = u[${i}];`);
    });
    paramNames.forEach((name, k) => {
      if (!symbols.has(name)) return;
      const { offset, transform } = context.parameters.get(name)!;
      const t = transform.json.type;
      const read =
        t === 'identity'
          ? `p[${offset}]`
          : t === 'log'
            ? `Math.exp(p[${offset}])`
            : `TR${k}.toNatural(p[${offset}])`;
      reads.push(`const q_${k} = ${read};`);
    });
    if (fromBuffers) {
      parsed.calls.forEach((call, k) =>
        call.outputs.forEach((z, j) => {
          if (symbols.has(z)) reads.push(`const ${z} = Y${k}[${j}];`);
        }),
      );
    }
    return reads;
  };

  /**
   * Statements of one output (or one call argument): `emit` appends them, asking `code` for
   * the JavaScript of `roots` (every expression it uses).
   */
  interface Group {
    readonly roots: readonly Expr[];
    readonly emit: (code: StraightLineCode) => void;
  }
  const cost = (roots: Iterable<Expr>, seen?: Set<number>): number => {
    const list = [...roots];
    return distinctOperations(list, seen) + list.length;
  };
  /** Helper functions of split bodies, defined beside the generated functions. */
  const helpers: string[] = [];

  /**
   * A function body: the reads, the term calls forward, `before`, the groups' statements, then
   * `after`'s. Repeated subexpressions are computed once. A body too large for V8 to optimise
   * has its groups moved, a batch at a time, into helper functions of the same parameters
   * (each with its own reads and shared subexpressions), which it calls in order (see
   * {@link MAX_FUNCTION_COST}).
   */
  const functionBody = (
    name: string,
    parameters: string,
    groups: readonly Group[],
    before: readonly string[],
    after: Group | null,
  ): string => {
    const batches = splitBody(groups) ? batchesOf(groups) : null;
    const mainRoots = batches === null ? groups.flatMap((g) => g.roots) : [];
    if (after !== null) mainRoots.push(...after.roots);
    const code = new StraightLineCode(jsName, [...args.flat(), ...mainRoots]);
    for (const line of readsOf(used, false)) code.statement(line);
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
    for (const line of before) code.statement(line);
    if (batches === null) {
      for (const g of groups) g.emit(code);
    } else {
      batches.forEach((batch) => {
        const roots = batch.flatMap((g) => g.roots);
        const symbols = new Set<string>();
        for (const r of roots) for (const x of r.symbols) symbols.add(x);
        const part = new StraightLineCode(jsName, roots);
        for (const line of readsOf(symbols, true)) part.statement(line);
        for (const g of batch) g.emit(part);
        const helper = `${name}_${helpers.length}`;
        helpers.push(`function ${helper}(${parameters}) {\n  ${part.lines.join('\n  ')}\n}`);
        code.statement(`${helper}(${parameters});`);
      });
    }
    after?.emit(code);
    return code.lines.join('\n    ');
  };
  const splitBody = (groups: readonly Group[]): boolean =>
    cost(groups.flatMap((g) => g.roots)) > MAX_FUNCTION_COST;
  const batchesOf = (groups: readonly Group[]): Group[][] => {
    const batches: Group[][] = [];
    let seen = new Set<number>();
    let size = 0;
    for (const g of groups) {
      const extra = cost(g.roots, seen);
      if (batches.length === 0 || (size + extra > MAX_FUNCTION_COST && size > 0)) {
        batches.push([]);
        seen = new Set();
        size = cost(g.roots, seen);
      } else {
        size += extra;
      }
      batches[batches.length - 1].push(g);
    }
    return batches;
  };

  // Value.
  const valueBody = functionBody(
    'value',
    'out, u, p, t',
    outputs.map((o, i) => ({
      roots: [o],
      emit: (code) => code.statement(`out[${i}] = ${code.code(o)};`),
    })),
    [],
    null,
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
  const vjpGroups: Group[] = outputPartials.map((partials, i) => ({
    roots: partials.map(({ d }) => d),
    emit: (code) => {
      if (partials.length === 0) return;
      code.statement(`const l_${i} = yBar[${i}];`);
      for (const { s, d } of partials) code.statement(`${bar(s)} += l_${i} * ${code.code(d)};`);
    },
  }));
  // Cotangents accumulate in locals, or — when the VJP is split into helpers — in a buffer
  // allocated once here (slot per symbol), which the helpers share.
  const barred = nonTime(used);
  const slot = new Map(barred.map((s, i) => [s, i]));
  const vjpSplit = splitBody(vjpGroups);
  const bar = (name: string): string => (vjpSplit ? `B[${slot.get(name)}]` : `b_${jsName(name)}`);
  const vjpAfter: Group = {
    roots: argPartials.flat(2).map(({ d }) => d),
    emit: (code) => {
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
    },
  };
  const vjpBody = functionBody(
    'vjp',
    'yBar, u, p, t, uBar, pBar',
    vjpGroups,
    vjpSplit ? ['B.fill(0);'] : barred.map((s) => `let ${bar(s)} = 0;`),
    vjpAfter,
  );

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
    jacobianBody = functionBody(
      'jacobian',
      'J, u, p, t',
      entries.map((row, i) => ({
        roots: row.map(({ d }) => d),
        emit: (code) => {
          for (const { j, d } of row) code.statement(`J[${i * n + j}] = ${code.code(d)};`);
        },
      })),
      ['J.fill(0);'],
      null,
    );
    jvpBody = functionBody(
      'jvp',
      'v, u, p, t, out',
      entries.map((row, i) => ({
        roots: row.map(({ d }) => d),
        emit: (code) => {
          const sum = row.map(({ j, d }) => `${code.code(d)} * v[${j}]`);
          code.statement(`out[${i}] = ${sum.length > 0 ? sum.join(' + ') : '0'};`);
        },
      })),
      [],
      null,
    );
  }
  let tgradBody: string | null = null;
  if (dependsOnTime && !callsUseTime) {
    tgradBody = functionBody(
      'tgrad',
      'dt, u, p, t',
      parsed.outputs.map((o, i) => {
        const d = outputSymbols[i].has(table.time)
          ? partial(outputs[i], table.time, describe(o.name))
          : null;
        return {
          roots: d === null ? [] : [d],
          emit: (code) => code.statement(`dt[${i}] = ${d === null ? '0' : code.code(d)};`),
        };
      }),
      [],
      null,
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
${helpers.join('\n')}
return {
  ${fn('value', 'out, u, p, t', valueBody)},
  ${fn('vjp', 'yBar, u, p, t, uBar, pBar', vjpBody)},
  ${fn('jacobian', 'J, u, p, t', jacobianBody)},
  ${fn('jvp', 'v, u, p, t, out', jvpBody)},
  ${fn('tgrad', 'dt, u, p, t', tgradBody)},
};`;

  const buffers = (size: (l: Layer) => number): Float64Array[] =>
    layers.map((l) => new Float64Array(size(l)));
  const factory = new Function('T', 'C', 'F', 'X', 'Y', 'XB', 'YB', 'TR', 'B', source) as (
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
    new Float64Array(vjpSplit ? barred.length : 0),
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
