/**
 * Generated kernels are compiled once per description and instantiated once per memory: a
 * module's bytes depend only on its description (shape, dtype, features), while an instance is
 * bound to the one arena memory it imports.
 */
import type { Arena } from './arena.ts';

const modules = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, Map<string, object>>();

/**
 * The exports of the module described by `key` (any string naming everything its bytes depend
 * on), bound to the arena's memory; `bytes` makes the module the first time the key is seen.
 */
export function kernelExports<E>(
  key: string,
  bytes: () => Uint8Array<ArrayBuffer>,
  arena: Arena,
): E {
  let module = modules.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(bytes());
    modules.set(key, module);
  }
  let perMemory = instances.get(arena.memory);
  if (perMemory === undefined) {
    perMemory = new Map();
    instances.set(arena.memory, perMemory);
  }
  let exports = perMemory.get(key);
  if (exports === undefined) {
    exports = new WebAssembly.Instance(module, { env: { memory: arena.memory } }).exports;
    perMemory.set(key, exports);
  }
  return exports as unknown as E;
}
