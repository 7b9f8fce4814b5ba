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
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { emit, median, numberOption } from './harness.ts';

const repo = resolve(import.meta.dirname, '..');
const PACK_INPUTS = [
  'package.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
  'docs',
  'src',
  'solvers',
  'models',
];

function sh(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', npm_config_update_notifier: 'false' },
  });
}

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

/** Bundles `code` for the browser; returns the minified bytes, gzip bytes and packages in it. */
async function browserBundle(
  project: string,
  name: string,
  code: string,
): Promise<{ bytes: number; gzip: number; packages: string[] }> {
  const file = join(project, `${name}.js`);
  writeFileSync(file, code);
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const output = result.outputFiles[0].contents;
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
  return { bytes: output.length, gzip: gzipSync(output).length, packages: [...packages].sort() };
}

export async function run(args: string[]): Promise<void> {
  const imports = numberOption(args, '--imports', 7);
  const root = mkdtempSync(join(tmpdir(), 'scichain-bench-package-'));
  try {
    // Build and pack as npm publishes.
    const source = join(root, 'source');
    mkdirSync(source);
    for (const entry of PACK_INPUTS)
      cpSync(join(repo, entry), join(source, entry), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(source, 'node_modules'), 'dir');
    const t0 = performance.now();
    const json = sh('npm', ['pack', '--json', '--pack-destination', root], source);
    const packSeconds = (performance.now() - t0) / 1000;
    const info = JSON.parse(json.slice(json.indexOf('['))) as {
      filename: string;
      size: number;
      unpackedSize: number;
      entryCount: number;
    }[];
    const [distBytes, distFiles] = folderBytes(join(source, 'dist'));
    const [distJsBytes] = folderBytes(join(source, 'dist'), (n) => n.endsWith('.js'));
    emit({ bench: 'package', metric: 'dist_bytes', value: distBytes, unit: 'B' });
    emit({ bench: 'package', metric: 'dist_js_bytes', value: distJsBytes, unit: 'B' });
    emit({ bench: 'package', metric: 'dist_files', value: distFiles, unit: 'files' });
    emit({ bench: 'package', metric: 'packed_bytes', value: info[0].size, unit: 'B' });
    emit({ bench: 'package', metric: 'unpacked_bytes', value: info[0].unpackedSize, unit: 'B' });
    emit({ bench: 'package', metric: 'packed_files', value: info[0].entryCount, unit: 'files' });
    emit({ bench: 'package', metric: 'pack_with_build_s', value: packSeconds, unit: 's' });

    // Install the tarball into a fresh project.
    const project = join(root, 'consumer');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    sh(
      'npm',
      [
        'install',
        join(root, info[0].filename),
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
      ],
      project,
    );

    // Time to first import, in fresh processes.
    for (const entry of ['scichain', 'scichain/nn', 'scichain/solvers']) {
      const times: number[] = [];
      for (let i = 0; i < imports; i++) {
        const out = sh(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const t = performance.now(); await import('${entry}'); console.log(performance.now() - t);`,
          ],
          project,
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

    // Browser bundles.
    const pages: Record<string, string> = {
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
    for (const [page, code] of Object.entries(pages)) {
      const bundle = await browserBundle(project, page, code);
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
    rmSync(root, { recursive: true, force: true });
  }
}
