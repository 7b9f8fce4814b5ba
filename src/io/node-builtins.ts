/**
 * Node's built-in modules, obtained lazily through `process.getBuiltinModule` (Node ≥ 20.16)
 * when a file or signal feature is first used — never at import time, so the library loads in
 * browsers and Web Workers, where these features are `Unsupported` errors naming what needed
 * them. Typed with the few members used here (no `@types/node` in the library's declarations).
 */
import { ScichainError } from '../core/errors.ts';

/** The part of Node's `process` the library uses. */
export interface NodeProcess {
  readonly pid: number;
  readonly platform: string;
  readonly versions: { readonly node?: string };
  cwd(): string;
  getBuiltinModule?(id: string): unknown;
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: 'SIGINT' | 'SIGTERM') => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: (signal: 'SIGINT' | 'SIGTERM') => void): unknown;
  exit(code: number): never;
}

/** The part of `node:fs` the library uses. */
export interface NodeFs {
  readFileSync(path: string, encoding: 'utf8'): string;
  existsSync(path: string): boolean;
  rmSync(path: string, options: { force: true }): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  statSync(path: string, options: { throwIfNoEntry: false }): { mode: number } | undefined;
}

/** The part of `node:path` the library uses. */
export interface NodePath {
  basename(path: string): string;
  dirname(path: string): string;
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
}

/** The part of `node:module` the library uses. */
export interface NodeModuleApi {
  createRequire(url: string): { resolve(id: string): string };
}

interface Builtins {
  'node:fs': NodeFs;
  'node:path': NodePath;
  'node:module': NodeModuleApi;
}

/** Node's `process`, or undefined outside Node (browsers, Web Workers, Deno without it). */
export function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p !== undefined && typeof p.versions === 'object' && p.versions.node !== undefined
    ? p
    : undefined;
}

/**
 * A Node built-in module; outside Node an `Unsupported` error saying that `purpose` (e.g.
 * "writing report /tmp/r.html") needs it.
 */
export function nodeBuiltin<K extends keyof Builtins>(id: K, purpose: string): Builtins[K] {
  const get = nodeProcess()?.getBuiltinModule;
  if (get === undefined) {
    throw new ScichainError(
      'Unsupported',
      `${purpose} needs Node's ${id} (Node >= 20.16); this runtime has no file system access — in a browser, pass data as text or objects instead of paths`,
    );
  }
  return get(id) as Builtins[K];
}

/**
 * A Node built-in module, or null outside Node (for code that does something else in browsers,
 * such as the thread pool starting Web Workers). Node older than 20.16 lacks
 * `process.getBuiltinModule`: an `Unsupported` error saying so.
 */
export function nodeBuiltinIfNode<T>(id: string): T | null {
  const p = nodeProcess();
  if (p === undefined) return null;
  if (typeof p.getBuiltinModule !== 'function') {
    throw new ScichainError(
      'Unsupported',
      `scichain needs Node ≥ 20.16 (process.getBuiltinModule) to load ${id}; this is Node ${p.versions.node}`,
    );
  }
  return p.getBuiltinModule(id) as T;
}
