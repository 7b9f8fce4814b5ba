/**
 * A small static file server for the browser examples and tests: serves one folder on
 * 127.0.0.1, with the headers that make a page cross-origin isolated when asked
 * (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp` —
 * what browsers require before they give a page SharedArrayBuffer, and so worker threads over
 * shared memory). Never caches, answers 404 for what is not there and refuses paths that leave
 * the folder.
 *
 * As a program: `tsx examples/browser/static-server.ts <folder> [--port N] [--not-isolated]`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
  /** The folder served (`/` maps to its index.html). */
  root: string;
  /** Send the COOP/COEP headers that make pages cross-origin isolated. */
  isolated: boolean;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
}

/** A running server: its base URL (ending in `/`) and how to stop it. */
export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Content types by extension; anything else is application/octet-stream. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Starts serving `root`; resolves once the server listens. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const info = await stat(root).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new Error(`static server: root ${options.root} is not a folder`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`static server: port must be an integer 0–65535, got ${port}`);
  }
  const server = createServer((request, response) => {
    serve(root, options.isolated, request, response).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, options.isolated, String(error));
      else response.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function headers(isolated: boolean): Record<string, string> {
  const h: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (isolated) {
    h['Cross-Origin-Opener-Policy'] = 'same-origin';
    h['Cross-Origin-Embedder-Policy'] = 'require-corp';
    h['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  return h;
}

function reply(response: ServerResponse, status: number, isolated: boolean, text: string): void {
  response.writeHead(status, { ...headers(isolated), 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

async function serve(
  root: string,
  isolated: boolean,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply(response, 405, isolated, `method ${request.method} not allowed`);
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    reply(response, 400, isolated, 'bad path');
    return;
  }
  if (path.includes('\0')) {
    reply(response, 400, isolated, 'bad path');
    return;
  }
  let file = resolve(root, `.${path}`);
  // No way out of the folder (`..`, encoded or not, is resolved above and checked here).
  if (file !== root && !file.startsWith(root + sep)) {
    reply(response, 403, isolated, 'outside the served folder');
    return;
  }
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = resolve(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (info === null || !info.isFile()) {
    reply(response, 404, isolated, `not found: ${path}`);
    return;
  }
  const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  response.writeHead(200, {
    ...headers(isolated),
    'Content-Type': type,
    'Content-Length': String(info.size),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(file);
    stream.once('error', fail);
    stream.once('end', done);
    stream.pipe(response);
  });
}

const usage = `usage: tsx examples/browser/static-server.ts <folder> [--port N] [--not-isolated]

Serves <folder> on http://127.0.0.1 (port 0, the default, picks a free one), with the
Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers that make pages
cross-origin isolated unless --not-isolated is given.`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      'not-isolated': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (positionals.length !== 1) throw new Error(`expected one folder\n${usage}`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port)) throw new Error(`--port must be an integer, got ${values.port}`);
  const server = await startStaticServer({
    root: positionals[0],
    isolated: !values['not-isolated'],
    port,
  });
  console.log(
    `serving ${resolve(positionals[0])} at ${server.url}` +
      (values['not-isolated'] ? ' (not cross-origin isolated)' : ' (cross-origin isolated)'),
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
