/** Reading a user's text file with an error that names it. */
import { readFileSync } from 'node:fs';
import { ScichainError } from '../errors.ts';

/** The UTF-8 text of `path`; a read failure is an `InvalidArgument` naming `what` and the path. */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScichainError(
      'InvalidArgument',
      `cannot read ${what} ${path}: ${(e as Error).message}`,
    );
  }
}
