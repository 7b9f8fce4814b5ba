// Registers the TypeScript loader on a Node worker thread when the library runs from its
// TypeScript sources (tsx, vitest): Node 20 does not pass the parent's loader hooks to workers.
// Both of tsx's hooks, as `node --import tsx` does: ESM, and CommonJS (a CommonJS dependency
// that requires an ES module in TypeScript, as odex's typings resolution does, needs it).
// The boot script in host.ts imports this before the entry only when the entry is a `.ts` file;
// builds and bundles never load it.
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCommonJs();
register();
