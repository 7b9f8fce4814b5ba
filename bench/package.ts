/**
 * `npm run bench -- package [--imports 7]`
 *
 * What a user downloads and waits for: the package built and packed as npm publishes it (in a
 * temporary copy of its inputs, through `npm pack`, which runs the build), then installed from the
 * tarball into a fresh project (dependencies from the npm cache).
 *
 * - `dist_bytes`, `dist_js_bytes` (JavaScript only), `dist_files`: the built dist/;
 * - `packed_bytes`, `unpacked_bytes`, `packed_files`: the tarball;
 * - `first_import_ms` (field `entry`): median over `--imports` fresh `node` processes of the time
 *   `await import(entry)` takes (in the process, from before the import to after it);
 * - `browser_bundle_bytes` and `browser_bundle_gzip_bytes` (field `page`): esbuild bundles for
 *   the browser (minified, ESM) of a page that uses only `scichain/nn` (builds a network and runs
 *   it) and of a page that uses everything the root exports. The packages each bundle holds (from
 *   esbuild's metafile) are in the `packages` field; the `scichain/nn` page must not hold mathjs or
 *   Plotly, and the bench fails if it does.
 *
 * Epoch times in Chromium are the browser tests' figures (examples/browser), not this bench's.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  browserBundle,
  consumerProjects,
  node,
  packScichain,
  removeTree,
} from './packed-package.ts';
import { emit, median, numberOption } from './harness.ts';

function folderBytes(dir: string, filter: (name: string) => boolean = () => true): number[] {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !filter(entry.name)) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files++;
  }
  return [bytes, files];
}

/** A page that uses only scichain/nn, and one that takes everything the root exports. */
const PAGES: Record<string, string> = {
  nn: `import { chain, dense, parameters } from 'scichain/nn';
const net = chain(2, dense(16, 'tanh'), dense(1));
const layout = parameters({ net });
const theta = layout.initial({ seed: 1 });
const y = net.forward(theta, 0, new Float64Array([0.1, 0.2]), null, net.workspace());
document.body.textContent = String(y[0]);
`,
  root: `import * as scichain from 'scichain';
globalThis.scichain = scichain;
`,
};

export async function run(args: string[]): Promise<void> {
  const imports = numberOption(args, 'imports', 7);
  // Built and packed as npm publishes, then installed into a fresh project.
  const packed = packScichain('bench-package');
  try {
    const dist = join(packed.root, 'source', 'dist');
    const [distBytes, distFiles] = folderBytes(dist);
    const [distJsBytes] = folderBytes(dist, (n) => n.endsWith('.js'));
    emit({ bench: 'package', metric: 'dist_bytes', value: distBytes, unit: 'B' });
    emit({ bench: 'package', metric: 'dist_js_bytes', value: distJsBytes, unit: 'B' });
    emit({ bench: 'package', metric: 'dist_files', value: distFiles, unit: 'files' });
    emit({ bench: 'package', metric: 'packed_bytes', value: packed.size, unit: 'B' });
    emit({ bench: 'package', metric: 'unpacked_bytes', value: packed.unpackedSize, unit: 'B' });
    emit({ bench: 'package', metric: 'packed_files', value: packed.entryCount, unit: 'files' });
    emit({ bench: 'package', metric: 'pack_with_build_s', value: packed.seconds, unit: 's' });

    const files = Object.fromEntries(
      Object.entries(PAGES).map(([page, code]) => [`${page}.js`, code]),
    );
    const { consumer } = await consumerProjects(packed, { consumer: { files } });

    // Time to first import, in fresh processes.
    for (const entry of ['scichain', 'scichain/nn', 'scichain/solvers']) {
      const times: number[] = [];
      for (let i = 0; i < imports; i++) {
        const out = node(
          [
            '--input-type=module',
            '-e',
            `const t = performance.now(); await import('${entry}'); console.log(performance.now() - t);`,
          ],
          consumer,
        );
        times.push(Number(out.trim()));
      }
      emit({
        bench: 'package',
        metric: 'first_import_ms',
        value: median(times),
        unit: 'ms',
        entry,
        processes: imports,
        min: Math.min(...times),
        max: Math.max(...times),
      });
    }

    for (const page of Object.keys(PAGES)) {
      const bundle = await browserBundle(consumer, `${page}.js`);
      emit({
        bench: 'package',
        metric: 'browser_bundle_bytes',
        value: bundle.bytes,
        unit: 'B',
        page,
        packages: bundle.packages.join(' '),
      });
      emit({
        bench: 'package',
        metric: 'browser_bundle_gzip_bytes',
        value: bundle.gzip,
        unit: 'B',
        page,
      });
      if (page === 'nn') {
        const heavy = bundle.packages.filter((p) => p === 'mathjs' || p.startsWith('plotly'));
        if (heavy.length > 0) {
          throw new Error(`the scichain/nn page bundles ${heavy.join(', ')}; it must not`);
        }
      }
    }
  } finally {
    removeTree(packed.root);
  }
}
