/** The installed Plotly bundle's source, which reports written under Node inline. */
import { ScichainError } from '../core/errors.ts';
import { nodeBuiltin } from './node-builtins.ts';

let cached: string | undefined;

/**
 * Node only: the source of `plotly.js-dist-min` (its minified bundle, about 4.6 MB), found from
 * this module as Node resolves packages and read once; a self-contained report inlines it.
 * A missing package is an `InvalidArgument` error naming it, with the resolution error as
 * `cause`; outside Node an `Unsupported` error.
 */
export function plotlySource(): string {
  if (cached !== undefined) return cached;
  const purpose = 'reading the Plotly bundle for a report';
  const { createRequire } = nodeBuiltin('node:module', purpose);
  const fs = nodeBuiltin('node:fs', purpose);
  let file: string;
  try {
    file = createRequire(import.meta.url).resolve('plotly.js-dist-min');
  } catch (e) {
    throw new ScichainError(
      'InvalidArgument',
      `cannot find the package plotly.js-dist-min (a dependency of scichain) for the report's charts: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    cached = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScichainError(
      'InvalidArgument',
      `cannot read the Plotly bundle ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return cached;
}
