/** Reading a user's text file with an error that names it. */
import { ScichainError } from '../core/errors.ts';
import { nodeBuiltin } from './node-builtins.ts';

/**
 * The UTF-8 text of `path`; a read failure is an `InvalidArgument` naming `what` and the path,
 * with Node's error (its `code`, e.g. `ENOENT`) as `cause`. Needs Node (`Unsupported` elsewhere).
 */
export function readTextFile(path: string, what: string): string {
  const fs = nodeBuiltin('node:fs', `reading ${what} ${path}`);
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScichainError(
      'InvalidArgument',
      `cannot read ${what} ${path}: ${(e as Error).message}`,
      { cause: e },
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
      { cause: e },
    );
  }
}
