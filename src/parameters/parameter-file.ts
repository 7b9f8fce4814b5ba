/** Reading and writing parameter files on disk (Node.js). */
import { readJsonFile } from '../io/read-text-file.ts';
import { writeFileAtomic, type AtomicWriteFs } from '../io/write-file-atomic.ts';
import type { DType, FloatArray } from '../core/dtype.ts';
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
  writeFileAtomic(path, () => JSON.stringify(layout.toJson(theta), null, 1), {
    what: 'parameter file',
    ...options,
  });
}

/**
 * Reads θ from a JSON file written by {@link saveParameters}. Every field is checked; an error
 * names the file and the field (e.g. `blocks[0].frozen`).
 */
export function loadParameters(path: string, layout: ParameterLayout, dtype?: DType): FloatArray {
  const doc = readJsonFile(path, 'parameter file');
  return layout.fromJson(doc, dtype, `parameter file ${path}`);
}
