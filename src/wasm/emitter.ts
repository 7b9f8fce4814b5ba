/**
 * A small emitter for the WebAssembly binary format: enough of it (one imported memory,
 * functions, exports, structured control flow, scalar and SIMD instructions) to generate
 * kernels at run time for sizes known only when a model is built.
 *
 * Why at run time and not a build-time compiler with checked-in output: the kernels are
 * specialised to each layer's widths, which exist only when the user builds the network, and
 * an emitter of a few hundred lines runs the same in Node and in a browser with no toolchain.
 *
 * Instructions are named as in the WebAssembly text format (`f32x4.mul`, `v128.load`), so
 * generated code reads like the specification. Immediates are given as arguments:
 * memory instructions take a byte offset (alignment is natural), lane instructions a lane.
 */
import { ScichainError } from '../core/errors.ts';

/** WebAssembly value types. */
export type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const VALUE_TYPE: Record<ValueType, number> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
};

/** Opcode of an instruction: one byte, or the SIMD prefix 0xfd and a LEB128 sub-opcode. */
type Opcode = number | readonly ['simd', number];
const simd = (code: number): Opcode => ['simd', code];

/** Instructions without immediates. */
const PLAIN: Record<string, Opcode> = {
  unreachable: 0x00,
  nop: 0x01,
  else: 0x05,
  end: 0x0b,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  'i32.eqz': 0x45,
  'i32.eq': 0x46,
  'i32.ne': 0x47,
  'i32.lt_s': 0x48,
  'i32.lt_u': 0x49,
  'i32.gt_s': 0x4a,
  'i32.gt_u': 0x4b,
  'i32.le_s': 0x4c,
  'i32.ge_s': 0x4e,
  'i32.ge_u': 0x4f,
  'i32.add': 0x6a,
  'i32.sub': 0x6b,
  'i32.mul': 0x6c,
  'i32.and': 0x71,
  'i32.shl': 0x74,
  'i32.shr_s': 0x75,
  'f32.add': 0x92,
  'f32.sub': 0x93,
  'f32.mul': 0x94,
  'f64.add': 0xa0,
  'f64.sub': 0xa1,
  'f64.mul': 0xa2,
  'f64.promote_f32': 0xbb,
  'f32.demote_f64': 0xb6,
  'v128.not': simd(0x4d),
  'v128.and': simd(0x4e),
  'v128.andnot': simd(0x4f),
  'v128.or': simd(0x50),
  'v128.xor': simd(0x51),
  'v128.bitselect': simd(0x52),
  'i32x4.splat': simd(0x11),
  'i64x2.splat': simd(0x12),
  'f32x4.splat': simd(0x13),
  'f64x2.splat': simd(0x14),
  'f32x4.eq': simd(0x41),
  'f32x4.lt': simd(0x43),
  'f32x4.gt': simd(0x44),
  'f32x4.le': simd(0x45),
  'f32x4.ge': simd(0x46),
  'f64x2.eq': simd(0x47),
  'f64x2.lt': simd(0x49),
  'f64x2.gt': simd(0x4a),
  'f64x2.le': simd(0x4b),
  'f64x2.ge': simd(0x4c),
  'f32x4.nearest': simd(0x6a),
  'f64x2.nearest': simd(0x94),
  'i32x4.shl': simd(0xab),
  'i32x4.add': simd(0xae),
  'i32x4.sub': simd(0xb1),
  'i64x2.extend_low_i32x4_s': simd(0xc7),
  'i64x2.shl': simd(0xcb),
  'i64x2.add': simd(0xce),
  'f32x4.abs': simd(0xe0),
  'f32x4.neg': simd(0xe1),
  'f32x4.sqrt': simd(0xe3),
  'f32x4.add': simd(0xe4),
  'f32x4.sub': simd(0xe5),
  'f32x4.mul': simd(0xe6),
  'f32x4.div': simd(0xe7),
  'f32x4.min': simd(0xe8),
  'f32x4.max': simd(0xe9),
  'f32x4.pmin': simd(0xea),
  'f32x4.pmax': simd(0xeb),
  'f64x2.abs': simd(0xec),
  'f64x2.neg': simd(0xed),
  'f64x2.sqrt': simd(0xef),
  'f64x2.add': simd(0xf0),
  'f64x2.sub': simd(0xf1),
  'f64x2.mul': simd(0xf2),
  'f64x2.div': simd(0xf3),
  'f64x2.min': simd(0xf4),
  'f64x2.max': simd(0xf5),
  'f64x2.pmin': simd(0xf6),
  'f64x2.pmax': simd(0xf7),
  'i32x4.trunc_sat_f32x4_s': simd(0xf8),
  'f32x4.convert_i32x4_s': simd(0xfa),
  'i32x4.trunc_sat_f64x2_s_zero': simd(0xfc),
  'f64x2.convert_low_i32x4_s': simd(0xfe),
  'f32x4.demote_f64x2_zero': simd(0x5e),
  'f64x2.promote_low_f32x4': simd(0x5f),
  // Relaxed SIMD (used only after run-time detection): a·b + c with one or two roundings.
  'f32x4.relaxed_madd': simd(0x105),
  'f64x2.relaxed_madd': simd(0x107),
};

/** Memory instructions: opcode and natural alignment (log2 bytes). */
const MEMORY: Record<string, readonly [Opcode, number]> = {
  'i32.load': [0x28, 2],
  'f32.load': [0x2a, 2],
  'f64.load': [0x2b, 3],
  'i32.store': [0x36, 2],
  'f32.store': [0x38, 2],
  'f64.store': [0x39, 3],
  'v128.load': [simd(0x00), 4],
  'v128.load32_splat': [simd(0x09), 2],
  'v128.load64_splat': [simd(0x0a), 3],
  'v128.store': [simd(0x0b), 4],
  'v128.load32_zero': [simd(0x5c), 2],
  'v128.load64_zero': [simd(0x5d), 3],
};

/** Memory instructions that also take a lane. */
const MEMORY_LANE: Record<string, readonly [Opcode, number]> = {
  'v128.load32_lane': [simd(0x56), 2],
  'v128.load64_lane': [simd(0x57), 3],
  'v128.store32_lane': [simd(0x5a), 2],
  'v128.store64_lane': [simd(0x5b), 3],
};

/** Lane instructions (one lane byte). */
const LANE: Record<string, Opcode> = {
  'f32x4.extract_lane': simd(0x1f),
  'f32x4.replace_lane': simd(0x20),
  'f64x2.extract_lane': simd(0x21),
  'f64x2.replace_lane': simd(0x22),
};

function unsignedLeb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
}

function signedLeb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function pushOpcode(op: Opcode, out: number[]): void {
  if (typeof op === 'number') out.push(op);
  else {
    out.push(0xfd);
    unsignedLeb(op[1], out);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** The body of one function under construction. */
export class FunctionBuilder {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
  private readonly locals: ValueType[] = [];
  private code: number[] = [];
  /** Code run once at entry (hoisted constants), emitted before the body. */
  private readonly prologue: number[] = [];
  private readonly hoisted = new Map<string, number>();

  constructor(name: string, params: readonly ValueType[], results: readonly ValueType[]) {
    this.name = name;
    this.params = params;
    this.results = results;
  }

  /** Declares a local of the given type; returns its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /**
   * A local set once at function entry by `init` (which pushes the value), e.g. a splatted
   * constant used inside a loop: V8 would otherwise rematerialise a v128 constant at each use.
   * Returns the local; the same key returns the same local.
   */
  hoist(key: string, type: ValueType, init: () => void): number {
    let index = this.hoisted.get(key);
    if (index !== undefined) return index;
    index = this.local(type);
    this.hoisted.set(key, index);
    const body = this.code;
    this.code = this.prologue;
    init();
    this.set(index);
    this.code = body;
    return index;
  }

  /** Emits instructions by name, e.g. `f.op('f32x4.mul', 'f32x4.add')`. */
  op(...names: string[]): this {
    for (const name of names) {
      const code = PLAIN[name];
      if (code === undefined) throw new ScichainError('InvalidArgument', `wasm emitter: '${name}'`);
      pushOpcode(code, this.code);
    }
    return this;
  }

  /** A load or store at the address on the stack plus a constant byte offset. */
  memory(name: string, offset = 0): this {
    const entry = MEMORY[name];
    if (entry === undefined) throw new ScichainError('InvalidArgument', `wasm emitter: '${name}'`);
    pushOpcode(entry[0], this.code);
    unsignedLeb(entry[1], this.code);
    unsignedLeb(offset, this.code);
    return this;
  }

  /** A lane load or store (`v128.store32_lane` …) at address + offset. */
  memoryLane(name: string, offset: number, lane: number): this {
    const entry = MEMORY_LANE[name];
    if (entry === undefined) throw new ScichainError('InvalidArgument', `wasm emitter: '${name}'`);
    pushOpcode(entry[0], this.code);
    unsignedLeb(entry[1], this.code);
    unsignedLeb(offset, this.code);
    this.code.push(lane);
    return this;
  }

  /** `f32x4.extract_lane` and friends. */
  lane(name: string, lane: number): this {
    const code = LANE[name];
    if (code === undefined) throw new ScichainError('InvalidArgument', `wasm emitter: '${name}'`);
    pushOpcode(code, this.code);
    this.code.push(lane);
    return this;
  }

  get(index: number): this {
    this.code.push(0x20);
    unsignedLeb(index, this.code);
    return this;
  }

  set(index: number): this {
    this.code.push(0x21);
    unsignedLeb(index, this.code);
    return this;
  }

  tee(index: number): this {
    this.code.push(0x22);
    unsignedLeb(index, this.code);
    return this;
  }

  i32(value: number): this {
    this.code.push(0x41);
    signedLeb(value, this.code);
    return this;
  }

  f32(value: number): this {
    scratch.setFloat32(0, value, true);
    this.code.push(0x43);
    for (let i = 0; i < 4; i++) this.code.push(scratch.getUint8(i));
    return this;
  }

  f64(value: number): this {
    scratch.setFloat64(0, value, true);
    this.code.push(0x44);
    for (let i = 0; i < 8; i++) this.code.push(scratch.getUint8(i));
    return this;
  }

  /** A v128 constant with every lane equal to `value` in the given lane type. */
  splatConst(type: 'f32' | 'f64' | 'i32' | 'i64', value: number): this {
    const bytes = new DataView(new ArrayBuffer(16));
    const wide = type === 'f64' || type === 'i64';
    for (let lane = 0; lane < (wide ? 2 : 4); lane++) {
      if (type === 'f32') bytes.setFloat32(lane * 4, value, true);
      else if (type === 'f64') bytes.setFloat64(lane * 8, value, true);
      else if (type === 'i64') bytes.setBigInt64(lane * 8, BigInt(value), true);
      else bytes.setInt32(lane * 4, value, true);
    }
    pushOpcode(simd(0x0c), this.code);
    for (let i = 0; i < 16; i++) this.code.push(bytes.getUint8(i));
    return this;
  }

  call(functionIndex: number): this {
    this.code.push(0x10);
    unsignedLeb(functionIndex, this.code);
    return this;
  }

  /** `block … end`; `br depth` inside jumps past the end. */
  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }

  /** `loop … end`; `br depth` inside jumps back to the start. */
  loop(body: () => void): this {
    this.code.push(0x03, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }

  /** `if … (else …) end` on the i32 on the stack. */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    return this;
  }

  br(depth: number): this {
    this.code.push(0x0c);
    unsignedLeb(depth, this.code);
    return this;
  }

  brIf(depth: number): this {
    this.code.push(0x0d);
    unsignedLeb(depth, this.code);
    return this;
  }

  /**
   * `for (i = start; i < end; i += step) body()` over i32 locals, where `start`/`end` emit their
   * value (the loop is skipped when start ≥ end).
   */
  forRange(i: number, start: () => void, end: () => void, step: number, body: () => void): this {
    start();
    this.set(i);
    return this.block(() => {
      this.get(i);
      end();
      this.op('i32.ge_s').brIf(0);
      this.loop(() => {
        body();
        this.get(i).i32(step).op('i32.add').tee(i);
        end();
        this.op('i32.lt_s').brIf(0);
      });
    });
  }

  /** `local += constant` for an i32 local. */
  addTo(local: number, value: number): this {
    if (value === 0) return this;
    return this.get(local).i32(value).op('i32.add').set(local);
  }

  /** The encoded body (locals and code). */
  encode(): number[] {
    const out: number[] = [];
    // Run-length groups of equal local types.
    const groups: [number, ValueType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    unsignedLeb(groups.length, out);
    for (const [count, type] of groups) {
      unsignedLeb(count, out);
      out.push(VALUE_TYPE[type]);
    }
    for (const b of this.prologue) out.push(b);
    for (const b of this.code) out.push(b);
    out.push(0x0b);
    const sized: number[] = [];
    unsignedLeb(out.length, sized);
    return sized.concat(out);
  }
}

/** Memory import of a module: `env.memory`, shared or not. */
export interface MemoryImport {
  /** Pages (64 KiB) at least. */
  initial: number;
  /** Pages at most (required for shared memory). */
  maximum?: number;
  shared: boolean;
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  unsignedLeb(body.length, out);
  for (const b of body) out.push(b);
}

function name(text: string, out: number[]): void {
  const bytes = new TextEncoder().encode(text);
  unsignedLeb(bytes.length, out);
  for (const b of bytes) out.push(b);
}

/** A module under construction: one imported memory, functions, exports. */
export class ModuleBuilder {
  private readonly functions: { builder: FunctionBuilder; exported: boolean }[] = [];
  private readonly memory: MemoryImport;

  constructor(memory: MemoryImport) {
    this.memory = memory;
  }

  /**
   * Adds a function and returns its index (for `call`). The body is emitted by `body`, which
   * receives the builder; parameters are locals 0 … params.length − 1.
   */
  function(
    name: string,
    params: readonly ValueType[],
    results: readonly ValueType[],
    body: (f: FunctionBuilder) => void,
    exported = true,
  ): number {
    const builder = new FunctionBuilder(name, params, results);
    body(builder);
    this.functions.push({ builder, exported });
    return this.functions.length - 1;
  }

  /** The module's bytes. */
  encode(): Uint8Array<ArrayBuffer> {
    const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const fns = this.functions.map((f) => f.builder);
    // Types: one per function (duplicates are legal and keep indices trivial).
    const types: number[] = [];
    unsignedLeb(fns.length, types);
    for (const f of fns) {
      types.push(0x60);
      unsignedLeb(f.params.length, types);
      for (const p of f.params) types.push(VALUE_TYPE[p]);
      unsignedLeb(f.results.length, types);
      for (const r of f.results) types.push(VALUE_TYPE[r]);
    }
    section(1, types, out);
    const imports: number[] = [1];
    name('env', imports);
    name('memory', imports);
    imports.push(0x02);
    const m = this.memory;
    if (m.shared && m.maximum === undefined)
      throw new ScichainError('InvalidArgument', 'a shared memory import needs a maximum');
    imports.push(m.shared ? 0x03 : m.maximum === undefined ? 0x00 : 0x01);
    unsignedLeb(m.initial, imports);
    if (m.maximum !== undefined) unsignedLeb(m.maximum, imports);
    section(2, imports, out);
    const declarations: number[] = [];
    unsignedLeb(fns.length, declarations);
    fns.forEach((_, i) => unsignedLeb(i, declarations));
    section(3, declarations, out);
    const exports: number[] = [];
    const exported = this.functions.filter((f) => f.exported);
    unsignedLeb(exported.length, exports);
    this.functions.forEach((f, i) => {
      if (!f.exported) return;
      name(f.builder.name, exports);
      exports.push(0x00);
      unsignedLeb(i, exports);
    });
    section(7, exports, out);
    const code: number[] = [];
    unsignedLeb(fns.length, code);
    for (const f of fns) for (const b of f.encode()) code.push(b);
    section(10, code, out);
    return new Uint8Array(out);
  }
}
