/**
 * One first-class parameter vector. A {@link ParameterLayout} assembles named blocks —
 * scalars, vectors, whole components such as networks — into one flat typed array θ, the
 * only thing optimizers ever see. The gradient has the same layout. Blocks can carry a
 * transform (θ holds the unconstrained value), be frozen, and be saved to and loaded from JSON
 * with their names, bit for bit.
 */
import { ScichainError, closestName, requireName } from '../core/errors.ts';
import { arrayType, dtypeOf, type DType, type FloatArray } from '../core/dtype.ts';
import type {
  ParameterComponent,
  ParameterGroup,
  ParameterRole,
} from '../core/parameter-component.ts';
import { Rng, toRng } from '../core/rng.ts';
import { registerTheta, type FrozenSource } from './frozen-entries.ts';
import { parametersFromJson, parametersToJson, type ParameterFile } from './parameter-json.ts';
import { identity, positive, bounded, type Transform } from './transforms.ts';

/** How a scalar or vector block is constrained: a transform, `'positive'`, or `[lower, upper]`. */
export type Constraint = Transform | 'positive' | readonly [number, number];

/** Options shared by scalar and vector blocks. */
export interface BlockOptions {
  /** Constraint of the natural value (default: none). */
  transform?: Constraint;
  /**
   * Start frozen: every optimizer leaves the block untouched in a θ this layout made (default
   * false; see {@link ParameterLayout.freeze}).
   */
  frozen?: boolean;
}

/**
 * Counts freezes and unfreezes of every layout, so a cached frozen mask — which depends on the
 * layouts nested in it too — is rebuilt only after one.
 */
let frozenGeneration = 0;

/** The element types θ can have. */
const DTYPES: readonly DType[] = ['float64', 'float32'];

/** Initial natural values of a vector block. */
export type VectorInit = number | readonly number[] | ((index: number, rng: Rng) => number);

/** A scalar block (see {@link scalar}). */
export interface ScalarBlockSpec extends BlockOptions {
  readonly kind: 'scalar';
  readonly value: number;
}

/** A vector block (see {@link vector}). */
export interface VectorBlockSpec extends BlockOptions {
  readonly kind: 'vector';
  readonly size: number;
  readonly init: VectorInit;
}

/** What a layout entry can be. */
export type BlockSpec = ScalarBlockSpec | VectorBlockSpec | ParameterComponent;

/** A scalar parameter with natural initial value `value`: `scalar(1.5, { transform: 'positive' })`. */
export function scalar(value: number, options: BlockOptions = {}): ScalarBlockSpec {
  return { kind: 'scalar', value, ...options };
}

/**
 * A vector parameter of `size` entries: initial natural values from a number, an array, or a
 * function of (index, rng).
 */
export function vector(
  size: number,
  init: VectorInit = 0,
  options: BlockOptions = {},
): VectorBlockSpec {
  return { kind: 'vector', size, init, ...options };
}

/** A block as placed in θ. */
export interface Block {
  readonly name: string;
  readonly kind: 'scalar' | 'vector' | 'component';
  readonly offset: number;
  readonly size: number;
  /** Transform of every entry (identity for components). */
  readonly transform: Transform;
  /** The component, for component blocks. */
  readonly component?: ParameterComponent;
  readonly spec: BlockSpec;
}

function isComponent(spec: BlockSpec): spec is ParameterComponent {
  return !('kind' in spec && (spec.kind === 'scalar' || spec.kind === 'vector'));
}

function toTransform(c: Constraint | undefined, name: string): Transform {
  if (c === undefined) return identity;
  if (c === 'positive') return positive;
  if (Array.isArray(c)) return bounded(c[0], c[1]);
  const t = c as Partial<Transform> | string | null;
  if (typeof t === 'string') {
    const near = closestName(t, ['positive']);
    throw new ScichainError(
      'UnknownName',
      `parameter '${name}': unknown transform '${t}'; ${near ? `did you mean '${near}'? ` : ''}valid: 'positive', [lower, upper] or a transform`,
    );
  }
  if (
    t === null ||
    typeof t !== 'object' ||
    typeof t.toNatural !== 'function' ||
    typeof t.fromNatural !== 'function'
  ) {
    throw new ScichainError(
      'InvalidArgument',
      `transform of '${name}' must be 'positive', [lower, upper] or a transform, got ${String(t)}`,
    );
  }
  return c as Transform;
}

/** Assembles named blocks into one flat θ. Build it with {@link parameters}. */
export class ParameterLayout implements ParameterComponent, FrozenSource {
  readonly blocks: readonly Block[];
  /** Total length of θ. */
  readonly paramCount: number;
  private readonly byName = new Map<string, Block>();
  private readonly frozen = new Set<string>();
  /** The frozen mask (null: nothing frozen) as of a {@link frozenGeneration}. */
  private frozenCache: { generation: number; mask: Uint8Array | null } | null = null;

  constructor(spec: Readonly<Record<string, BlockSpec>>) {
    const blocks: Block[] = [];
    let offset = 0;
    for (const [name, s] of Object.entries(spec)) {
      if (name.length === 0 || /[\s.]/.test(name)) {
        throw new ScichainError(
          'InvalidArgument',
          `parameter block name '${name}' must be non-empty without spaces or dots`,
        );
      }
      let block: Block;
      if (isComponent(s)) {
        if (!Number.isInteger(s.paramCount) || s.paramCount < 0) {
          throw new ScichainError(
            'InvalidArgument',
            `component '${name}' declares an invalid paramCount ${s.paramCount}`,
          );
        }
        block = {
          name,
          kind: 'component',
          offset,
          size: s.paramCount,
          transform: identity,
          component: s,
          spec: s,
        };
      } else if (s.kind === 'scalar') {
        const transform = toTransform(s.transform, name);
        transform.fromNatural(s.value, `initial value of '${name}'`);
        block = { name, kind: 'scalar', offset, size: 1, transform, spec: s };
        if (s.frozen) this.frozen.add(name);
      } else {
        if (!Number.isInteger(s.size) || s.size < 1) {
          throw new ScichainError(
            'InvalidArgument',
            `vector '${name}' must have an integer size ≥ 1, got ${s.size}`,
          );
        }
        if (Array.isArray(s.init) && s.init.length !== s.size) {
          throw new ScichainError(
            'ShapeMismatch',
            `vector '${name}' has size ${s.size} but ${s.init.length} initial values`,
          );
        }
        block = {
          name,
          kind: 'vector',
          offset,
          size: s.size,
          transform: toTransform(s.transform, name),
          spec: s,
        };
        if (s.frozen) this.frozen.add(name);
      }
      blocks.push(block);
      this.byName.set(name, block);
      offset += block.size;
    }
    this.blocks = blocks;
    this.paramCount = offset;
  }

  /** The block called `name`; throws listing the known names otherwise. */
  block(name: string): Block {
    const b = this.byName.get(name);
    if (!b) {
      throw new ScichainError(
        'UnknownName',
        `no parameter block '${name}'; the layout has ${[...this.byName.keys()].join(', ')}`,
      );
    }
    return b;
  }

  /** Offset of a block in θ. */
  offset(name: string): number {
    return this.block(name).offset;
  }

  /** A zero-filled vector with this layout (θ or gradient). */
  zeros(dtype: DType = 'float64'): FloatArray {
    // arrayType would make float64 of any other name ('float16', 'f32').
    requireName(dtype, DTYPES, 'dtype');
    const theta = new (arrayType(dtype))(this.paramCount);
    registerTheta(theta, this);
    return theta;
  }

  /**
   * Marks a θ allocated elsewhere (for example in an objective's WebAssembly arena) as this
   * layout's, so that every optimizer leaves its frozen blocks alone, as it does for the θ that
   * {@link initial}, {@link zeros} and {@link fromJson} return. Returns θ.
   */
  adopt<T extends FloatArray>(theta: T): T {
    this.check(theta);
    registerTheta(theta, this);
    return theta;
  }

  /** A zero gradient vector with θ's dtype and length. */
  gradient(theta: FloatArray): FloatArray {
    this.check(theta);
    return new (arrayType(dtypeOf(theta)))(this.paramCount);
  }

  /**
   * A new θ with every block initialised: scalars and vectors to their initial natural values,
   * components by their own seeded `init`. Each block draws from a stream derived from the seed
   * and its name, so adding a block does not change the others' initial values.
   */
  initial(options: { seed?: number | Rng; dtype?: DType } = {}): FloatArray {
    const theta = this.zeros(options.dtype ?? 'float64');
    this.init(theta, 0, toRng(options.seed ?? 0));
    return theta;
  }

  /**
   * Component protocol: initialise this layout's slice of a larger θ. A θ that is exactly this
   * layout's (offset 0, length {@link paramCount}) is adopted (see {@link adopt}).
   */
  init(theta: FloatArray, offset: number, rng: Rng): void {
    for (const b of this.blocks) {
      const stream = rng.fork(b.name);
      const at = offset + b.offset;
      const s = b.spec;
      if (b.component) {
        b.component.init(theta, at, stream);
      } else if ('kind' in s && s.kind === 'scalar') {
        theta[at] = b.transform.fromNatural(s.value, `initial value of '${b.name}'`);
      } else if ('kind' in s && s.kind === 'vector') {
        for (let i = 0; i < b.size; i++) {
          const v =
            typeof s.init === 'number'
              ? s.init
              : typeof s.init === 'function'
                ? s.init(i, stream)
                : s.init[i];
          theta[at + i] = b.transform.fromNatural(v, `initial value of '${b.name}'[${i}]`);
        }
      }
    }
    if (offset === 0 && theta.length === this.paramCount) registerTheta(theta, this);
  }

  /** A view (no copy) of a block's entries of θ: writes to it write θ. */
  view(theta: FloatArray, name: string): FloatArray {
    this.check(theta);
    const b = this.block(name);
    return theta.subarray(b.offset, b.offset + b.size);
  }

  /** Natural value of a scalar block, or of entry `index` of a vector block. */
  get(theta: FloatArray, name: string, index = 0): number {
    this.check(theta);
    const b = this.block(name);
    this.checkIndex(b, index);
    return b.transform.toNatural(theta[b.offset + index]);
  }

  /** Sets the natural value of a scalar block (or of entry `index` of a vector block). */
  set(theta: FloatArray, name: string, value: number, index = 0): void {
    this.check(theta);
    const b = this.block(name);
    this.checkIndex(b, index);
    theta[b.offset + index] = b.transform.fromNatural(
      value,
      `value of '${name}'${b.size > 1 ? `[${index}]` : ''}`,
    );
  }

  /**
   * Chain rule for a transformed block: given ∂L/∂x for the natural value x of `name`
   * (entry `index`), accumulates ∂L/∂u = ∂L/∂x · dx/du into the gradient entry of θ.
   */
  addNaturalGradient(
    theta: FloatArray,
    grad: FloatArray,
    name: string,
    dNatural: number,
    index = 0,
  ): void {
    const b = this.block(name);
    this.checkIndex(b, index);
    const at = b.offset + index;
    grad[at] += dNatural * b.transform.derivative(theta[at]);
  }

  /** Natural values of every scalar and vector block (components are left out). */
  natural(theta: FloatArray): Record<string, number | number[]> {
    this.check(theta);
    const out: Record<string, number | number[]> = {};
    for (const b of this.blocks) {
      if (b.kind === 'scalar') out[b.name] = b.transform.toNatural(theta[b.offset]);
      else if (b.kind === 'vector') {
        out[b.name] = Array.from({ length: b.size }, (_, i) =>
          b.transform.toNatural(theta[b.offset + i]),
        );
      }
    }
    return out;
  }

  /**
   * Freezes blocks: no optimizer moves them in a θ this layout made or adopted (nor in any θ
   * whose optimizer is given {@link frozenMask}).
   */
  freeze(...names: string[]): this {
    const blocks = names.map((n) => this.block(n));
    for (const b of blocks) this.frozen.add(b.name);
    frozenGeneration++;
    return this;
  }

  /** Unfreezes blocks. */
  unfreeze(...names: string[]): this {
    const blocks = names.map((n) => this.block(n));
    for (const b of blocks) this.frozen.delete(b.name);
    frozenGeneration++;
    return this;
  }

  /** Whether a block is frozen. */
  isFrozen(name: string): boolean {
    return this.frozen.has(this.block(name).name);
  }

  /** 1 for every entry of θ in a frozen block, else 0 — the form optimizers take. */
  frozenMask(): Uint8Array {
    const mask = new Uint8Array(this.paramCount);
    for (const b of this.blocks) {
      if (this.frozen.has(b.name)) mask.fill(1, b.offset, b.offset + b.size);
      else if (b.component instanceof ParameterLayout) mask.set(b.component.frozenMask(), b.offset);
    }
    return mask;
  }

  /**
   * The frozen mask optimizers apply to a θ of this layout by themselves: {@link frozenMask},
   * or null when nothing is frozen. Cached until a block of any layout is frozen or unfrozen.
   * Do not modify it.
   */
  frozenEntries(): Uint8Array | null {
    const cache = this.frozenCache;
    if (cache !== null && cache.generation === frozenGeneration) return cache.mask;
    const mask = this.frozenMask();
    const any = mask.some((v) => v !== 0);
    this.frozenCache = { generation: frozenGeneration, mask: any ? mask : null };
    return this.frozenCache.mask;
  }

  /** Named groups: scalars and vectors by name, components' inner groups prefixed `name.`. */
  parameterGroups(): ParameterGroup[] {
    return this.blocks.flatMap((b): ParameterGroup[] => {
      if (b.component) {
        const inner = b.component.parameterGroups?.() ?? [];
        if (inner.length === 0)
          return [
            { name: b.name, offset: b.offset, size: b.size, shape: [b.size], role: 'parameter' },
          ];
        return inner.map((g) => ({
          ...g,
          name: `${b.name}.${g.name}`,
          offset: b.offset + g.offset,
        }));
      }
      return [
        {
          name: b.name,
          offset: b.offset,
          size: b.size,
          shape: b.kind === 'scalar' ? [] : [b.size],
          role: 'parameter',
        },
      ];
    });
  }

  /** 1 for every entry with the given role (e.g. network weights, to exclude biases from L2). */
  roleMask(role: ParameterRole): Uint8Array {
    const mask = new Uint8Array(this.paramCount);
    for (const g of this.parameterGroups())
      if (g.role === role) mask.fill(1, g.offset, g.offset + g.size);
    return mask;
  }

  /** Throws a clear error unless θ (or a gradient) has this layout's length. */
  check(theta: FloatArray, what = 'θ'): void {
    if (theta.length !== this.paramCount) {
      throw new ScichainError(
        'ShapeMismatch',
        `${what} has length ${theta.length} but the parameter layout (${this.blocks.map((b) => `${b.name}: ${b.size}`).join(', ')}) needs ${this.paramCount}`,
      );
    }
  }

  /** θ as a JSON document with names, transforms, frozen flags and exact values. */
  toJson(theta: FloatArray): ParameterFile {
    return parametersToJson(this, theta);
  }

  /**
   * θ from a document written by {@link toJson} (names and sizes must match; frozen flags are
   * restored). Errors name the field's JSON path and `source` (e.g. the file).
   */
  fromJson(file: unknown, dtype?: DType, source?: string): FloatArray {
    const theta = parametersFromJson(this, file, dtype, source);
    registerTheta(theta, this);
    return theta;
  }

  /** @internal Names of the frozen blocks (for serialisation). */
  frozenNames(): string[] {
    return this.blocks.filter((b) => this.frozen.has(b.name)).map((b) => b.name);
  }

  private checkIndex(b: Block, index: number): void {
    if (b.kind === 'component') {
      throw new ScichainError(
        'InvalidArgument',
        `'${b.name}' is a component; use view() to read its entries`,
      );
    }
    if (!Number.isInteger(index) || index < 0 || index >= b.size) {
      throw new ScichainError(
        'InvalidArgument',
        `index ${index} is out of range for '${b.name}' (size ${b.size})`,
      );
    }
  }
}

/**
 * Builds a parameter layout from named blocks, in order:
 * `parameters({ ka: scalar(1.2, { transform: 'positive' }), net: chain(…) })`.
 */
export function parameters(spec: Readonly<Record<string, BlockSpec>>): ParameterLayout {
  return new ParameterLayout(spec);
}
