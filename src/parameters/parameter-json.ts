/**
 * Saving and loading θ as JSON, with block names, transforms and frozen flags, bit for bit.
 * JavaScript prints every double with the shortest decimal that reads back to the same double,
 * so plain JSON numbers round-trip exactly (float32 values are doubles too). The two things
 * JSON cannot carry are written explicitly: negative zero as the string "-0", and non-finite
 * values are refused with the block and index named.
 */
import { encodeExact, type ExactNumber } from './exact-numbers.ts';
import {
  arrayField,
  booleanField,
  child,
  describeValue,
  fieldError,
  finiteField,
  integerField,
  own,
  readExactArray,
  requireObject,
  stringField,
  type FieldPlace,
} from './json-fields.ts';
import { arrayType, dtypeOf, type DType, type FloatArray } from '../core/dtype.ts';
import type { ParameterGroup } from '../core/parameter-component.ts';
import { sameTransform, type Transform, type TransformJson } from './transforms.ts';

/** One block in a parameter file. */
export interface ParameterFileBlock {
  readonly name: string;
  readonly kind: 'scalar' | 'vector' | 'component';
  readonly offset: number;
  readonly size: number;
  readonly transform: TransformJson;
  readonly frozen: boolean;
  /** Natural values (scalars/vectors), for people reading the file; ignored on load. */
  readonly natural?: readonly number[];
  /** Inner groups of components (e.g. `layer1.weight`), for people reading the file. */
  readonly groups?: readonly {
    name: string;
    offset: number;
    size: number;
    shape: readonly number[];
  }[];
  /** The stored (unconstrained) values of θ. */
  readonly values: readonly ExactNumber[];
}

/** The JSON document written by {@link parametersToJson}. */
export interface ParameterFile {
  readonly format: 'scichain.parameters';
  readonly version: 1;
  readonly dtype: DType;
  readonly length: number;
  readonly blocks: readonly ParameterFileBlock[];
}

/**
 * What the JSON form reads of a layout (`ParameterLayout` is one): an interface rather than the
 * class, so that this module does not import the layout that imports it.
 */
export interface LayoutForJson {
  readonly paramCount: number;
  readonly blocks: readonly {
    readonly name: string;
    readonly kind: 'scalar' | 'vector' | 'component';
    readonly offset: number;
    readonly size: number;
    readonly transform: Transform;
  }[];
  check(theta: FloatArray): void;
  frozenNames(): string[];
  parameterGroups(): readonly ParameterGroup[];
  freeze(...names: string[]): unknown;
  unfreeze(...names: string[]): unknown;
}

/** θ as a JSON-serialisable document (names, transforms, frozen flags, exact values). */
export function parametersToJson(layout: LayoutForJson, theta: FloatArray): ParameterFile {
  layout.check(theta);
  const frozen = new Set(layout.frozenNames());
  const groups = layout.parameterGroups();
  const blocks = layout.blocks.map((b): ParameterFileBlock => {
    const values = encodeExact(
      theta.subarray(b.offset, b.offset + b.size),
      (i) => `parameter '${b.name}'[${i}]`,
    );
    const base = {
      name: b.name,
      kind: b.kind,
      offset: b.offset,
      size: b.size,
      transform: b.transform.json,
      frozen: frozen.has(b.name),
      values,
    };
    if (b.kind === 'component') {
      const inner = groups
        .filter((g) => g.name.startsWith(`${b.name}.`))
        .map((g) => ({
          name: g.name.slice(b.name.length + 1),
          offset: g.offset - b.offset,
          size: g.size,
          shape: g.shape,
        }));
      return inner.length > 0 ? { ...base, groups: inner } : base;
    }
    const natural = Array.from({ length: b.size }, (_, i) =>
      b.transform.toNatural(theta[b.offset + i]),
    );
    return { ...base, natural };
  });
  return {
    format: 'scichain.parameters',
    version: 1,
    dtype: dtypeOf(theta),
    length: theta.length,
    blocks,
  };
}

/**
 * θ from a document written by {@link parametersToJson}. Every field is checked and a bad one
 * is named by its JSON path (`blocks[1].frozen`) and `source` (the file, when read from disk).
 * Block names, order, sizes and transforms must match the layout (a clear error names the
 * first difference); frozen flags are restored. The dtype is the file's unless another is
 * asked for; a value outside float32's range in float32 is refused, not turned into ∞.
 */
export function parametersFromJson(
  layout: LayoutForJson,
  file: unknown,
  dtype?: DType,
  source = 'parameter document',
): FloatArray {
  const root: FieldPlace = { source, path: '' };
  if (
    file === null ||
    typeof file !== 'object' ||
    Array.isArray(file) ||
    own(file, 'format') !== 'scichain.parameters'
  ) {
    fieldError(
      root,
      'is not a scichain parameter file (expected format "scichain.parameters", version 1)',
    );
  }
  const doc = file as Record<string, unknown>;
  const version = own(doc, 'version');
  if (version !== 1) {
    fieldError(
      child(root, 'version'),
      `is ${describeValue(version)}; this scichain reads version 1 of "scichain.parameters"`,
    );
  }
  const fileDtype = stringField(doc, 'dtype', root, ['float64', 'float32']) as DType;
  const length = integerField(doc, 'length', root, 0);
  const blocks = arrayField(doc, 'blocks', root);
  const blocksPlace = child(root, 'blocks');
  const names = blocks.map((b) =>
    b !== null && typeof b === 'object' ? String(own(b, 'name')) : '?',
  );
  if (blocks.length !== layout.blocks.length) {
    fieldError(
      blocksPlace,
      `lists ${names.join(', ')} but the layout has ${layout.blocks.map((b) => b.name).join(', ')}`,
      'ShapeMismatch',
    );
  }
  if (length !== layout.paramCount) {
    fieldError(
      child(root, 'length'),
      `is ${length} but the layout has ${layout.paramCount} parameters`,
      'ShapeMismatch',
    );
  }
  const theta = new (arrayType(dtype ?? fileDtype))(layout.paramCount);
  const toFreeze: string[] = [];
  layout.blocks.forEach((b, k) => {
    const place = child(blocksPlace, k);
    const fb = requireObject(blocks[k], place);
    const name = stringField(fb, 'name', place);
    if (name !== b.name) {
      fieldError(
        child(place, 'name'),
        `of block ${k + 1} is '${name}' but the layout expects '${b.name}'`,
        'ShapeMismatch',
      );
    }
    const size = integerField(fb, 'size', place, 0);
    const values = arrayField(fb, 'values', place);
    if (size !== b.size || values.length !== b.size) {
      fieldError(
        child(place, 'values'),
        `holds ${values.length} values (size ${size}) for parameter '${b.name}' but the layout needs ${b.size}`,
        'ShapeMismatch',
      );
    }
    const transform = readTransform(own(fb, 'transform'), child(place, 'transform'));
    if (!sameTransform(transform, b.transform.json)) {
      fieldError(
        child(place, 'transform'),
        `: parameter '${b.name}' was saved with transform ${JSON.stringify(transform)} but the layout uses ${JSON.stringify(b.transform.json)}`,
        'ShapeMismatch',
      );
    }
    if (booleanField(fb, 'frozen', place)) toFreeze.push(b.name);
    readExactArray(values, child(place, 'values'), theta, b.offset);
  });
  layout.unfreeze(...layout.blocks.map((b) => b.name));
  layout.freeze(...toFreeze);
  return theta;
}

/** A transform written by {@link parametersToJson}, checked field by field. */
function readTransform(v: unknown, place: FieldPlace): TransformJson {
  const t = requireObject(v, place);
  const type = stringField(t, 'type', place, [
    'identity',
    'log',
    'bounded',
    'lowerBounded',
  ]) as TransformJson['type'];
  if (type === 'identity' || type === 'log') return { type };
  const lower = finiteField(t, 'lower', place);
  if (type === 'lowerBounded') return { type, lower };
  return { type, lower, upper: finiteField(t, 'upper', place) };
}
