/** Reading and writing parameter files on disk (Node.js). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readTextFile } from '../io/read-text-file.ts';
import { dirname } from 'node:path';
import { ScichainError } from '../errors.ts';
import type { DType, FloatArray } from '../memory/dtype.ts';
import type { ParameterLayout } from './layout.ts';

/** Writes θ to a JSON file (creating folders as needed). */
export function saveParameters(path: string, layout: ParameterLayout, theta: FloatArray): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(layout.toJSON(theta), null, 1));
}

/** Reads θ from a JSON file written by {@link saveParameters}. */
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
  return layout.fromJSON(doc, dtype);
}
