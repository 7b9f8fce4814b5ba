/**
 * The browser demo: builds examples/browser with esbuild into a temporary folder and serves it
 * on 127.0.0.1 with the COOP/COEP headers that make the page cross-origin isolated (so the
 * library gets SharedArrayBuffer and runs on two Web Workers), then prints the URL to open.
 *
 *   npm run demo [-- --port N] [-- --no-isolation]
 *
 * `--no-isolation` serves without the headers: the page then runs on one thread and says why.
 * Query parameters of the page: ?epochs=400&train=4000&seed=1&subjects=12&method=FOCEI.
 * Ctrl-C stops the server and removes the folder.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startStaticServer, type StaticServer } from './static-server.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The built demo: its folder and the size in bytes of each file. */
export interface BuiltDemo {
  readonly dir: string;
  readonly sizes: Readonly<Record<string, number>>;
}

/**
 * Builds the demo into `dir` (default: a new temporary folder): page.js (the page, Plotly
 * included), demo-worker.js (the worker that computes, the library included), worker-entry.js
 * (the pool's workers), index.html, theoph.csv and plotly.min.js (for reports saved from the
 * page). Minified ES modules for current browsers.
 */
export async function buildDemo(
  dir = mkdtempSync(join(tmpdir(), 'scichain-demo-')),
): Promise<BuiltDemo> {
  await build({
    entryPoints: {
      page: join(here, 'page.ts'),
      'demo-worker': join(here, 'demo-worker.ts'),
      'worker-entry': join(here, 'pool-worker.ts'),
    },
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(dir, 'index.html'));
  copyFileSync(join(here, '..', 'data', 'theoph.csv'), join(dir, 'theoph.csv'));
  // The Plotly source a report saved from the page inlines (fetched only on "Save the report").
  copyFileSync(
    createRequire(import.meta.url).resolve('plotly.js-dist-min'),
    join(dir, 'plotly.min.js'),
  );
  const sizes: Record<string, number> = {};
  for (const f of ['page.js', 'demo-worker.js', 'worker-entry.js', 'index.html', 'theoph.csv'])
    sizes[f] = statSync(join(dir, f)).size;
  return { dir, sizes };
}

/** Builds the demo and serves it; resolves to the server (whose folder is `demo.dir`). */
export async function serveDemo(options: {
  isolated: boolean;
  port?: number;
}): Promise<{ server: StaticServer; demo: BuiltDemo }> {
  const demo = await buildDemo();
  try {
    const server = await startStaticServer({
      root: demo.dir,
      isolated: options.isolated,
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    return { server, demo };
  } catch (e) {
    rmSync(demo.dir, { recursive: true, force: true });
    throw e;
  }
}

const HELP = `Usage: npm run demo [-- --port N] [-- --no-isolation]

Builds the browser demo (examples/browser) with esbuild and serves it on 127.0.0.1.

Options:
  --port N          port to listen on (default: any free port)
  --no-isolation    serve without COOP/COEP headers: the page runs on one thread
  -h, --help        show this help

Open the printed URL in a current Chrome, Edge or Firefox. Page query parameters:
  ?epochs=400&train=4000&seed=1&subjects=12&method=FOCEI`;

async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string' },
        'no-isolation': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      console.error(`--port must be an integer from 0 to 65535, got '${values.port}'`);
      process.exit(2);
    }
  }
  const isolated = values['no-isolation'] !== true;
  const { server, demo } = await serveDemo({ isolated, ...(port === undefined ? {} : { port }) });
  const kb = (n: number): string => `${(n / 1024).toFixed(0)} kB`;
  console.log(
    `built ${demo.dir}: page.js ${kb(demo.sizes['page.js'])}, demo-worker.js ${kb(demo.sizes['demo-worker.js'])}, worker-entry.js ${kb(demo.sizes['worker-entry.js'])}`,
  );
  console.log(
    isolated
      ? 'serving with COOP/COEP headers (cross-origin isolated: two threads)'
      : 'serving without COOP/COEP headers (not isolated: one thread)',
  );
  console.log(`open ${server.url} (Ctrl-C to stop)`);
  const stop = (): void => {
    void server.close().finally(() => {
      rmSync(demo.dir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
