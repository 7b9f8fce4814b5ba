/** Reading and writing parameter files on disk (Node.js). */
import { readTextFile } from '../io/read-text-file.ts';
import { writeFileAtomic, type AtomicWriteFs } from '../io/write-file-atomic.ts';
import { ScichainError } from '../errors.ts';
import type { DType, FloatArray } from '../memory/dtype.ts';
import type { ParameterLayout } from './layout.ts';

/**
 * Writes θ to a JSON file (creating folders as needed) atomically: a failed write leaves the
 * previous file intact and no temporary file behind; the error names the path. `fs` replaces
 * the file-system calls (for tests).
 */
export function saveParameters(
  path: string,
  layout: ParameterLayout,
  theta: FloatArray,
  options: { fs?: AtomicWriteFs } = {},
): void {
  writeFileAtomic(path, () => JSON.stringify(layout.toJSON(theta), null, 1), {
    what: 'parameter file',
    ...options,
  });
}

/**
 * Reads θ from a JSON file written by {@link saveParameters}. Every field is checked; an error
 * names the file and the field (e.g. `blocks[0].frozen`).
 */
export function loadParameters(path: string, layout: ParameterLayout, dtype?: DType): FloatArray {
  const text = readTextFile(path, 'parameter file');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScichainError(
      'InvalidArgument',
      `parameter file ${path} is not valid JSON: ${(e as Error).message}`,
    );
  }
  return layout.fromJSON(doc, dtype, `parameter file ${path}`);
}
