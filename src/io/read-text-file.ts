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

/**
 * The parsed JSON of `path`; a read failure or a syntax error is an `InvalidArgument` naming
 * `what` and the path (a file cut short by a crash reads as a syntax error, hence the hint).
 */
export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} ${path} is not valid JSON (a truncated or damaged file?): ${(e as Error).message}`,
    );
  }
}
