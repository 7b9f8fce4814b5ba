// The browser demo in a real Chromium (Debian's /usr/bin/chromium, headless, driven by
// playwright-core): the page served cross-origin isolated trains the matrix-exponential network
// and fits the Theophylline model on two Web Workers and gets Node's numbers (loss to 1e-9,
// objective to 1e-6, same seed, dtype and threads); its charts draw; it requests nothing outside
// 127.0.0.1 and logs no console error. Served without COOP/COEP, the page runs on one thread
// and says why. Small settings (URL query) keep it to seconds.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, type BuiltDemo } from '../../examples/browser/demo.ts';
import { startStaticServer, type StaticServer } from '../../examples/browser/static-server.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SETTINGS = { epochs: 60, train: 1000, seed: 1, subjects: 6, method: 'FOCEI' } as const;
const QUERY = `?epochs=${SETTINGS.epochs}&train=${SETTINGS.train}&seed=${SETTINGS.seed}&subjects=${SETTINGS.subjects}&method=${SETTINGS.method}`;
/** Observations of the first 6 Theophylline subjects (11 each). */
const OBSERVATIONS = 66;
/** Bound on one page's run (the run itself takes a few seconds). */
const PAGE_TIMEOUT_MS = 90_000;

/** The DOM as the page functions below see it (the project's TypeScript has no DOM library). */
interface Dom {
  document: {
    body: { dataset: Record<string, string | undefined> };
    querySelectorAll(selector: string): { length: number };
  };
}

interface PageResults {
  threads: number;
  reason: string;
  crossOriginIsolated: boolean;
  wasm: { simd: boolean; relaxedSimd: boolean; sharedMemory: boolean };
  training: { finalLoss: number; losses: number[]; threads: number };
  fit: { objective: number; iterations: number; threads: number; dv: number[] };
  error?: string;
}

interface Run {
  results: PageResults;
  workers: string[];
  consoleErrors: string[];
  outside: string[];
  requests: string[];
  threadsText: string;
  plotNodes: { plots: number; lossPoints: number; fitPoints: number };
  /** The report saved from the page ("Save the report"), when asked for. */
  report?: string;
}

interface NodeReference {
  threads: number;
  relaxedSimd: boolean;
  finalLoss: number;
  epochs: number;
  objective: number;
  iterations: number;
}

/**
 * The same computations under Node on one and two threads, in a child process with the
 * browser's SIMD flavour; started once, as soon as the first page has said which it has, so it
 * runs while the pages compute.
 */
let reference: Promise<Map<number, NodeReference>> | undefined;

function nodeReference(relaxedSimd: boolean): Promise<Map<number, NodeReference>> {
  reference ??= promisify(execFile)(
    process.execPath,
    [
      ...(relaxedSimd ? ['--experimental-wasm-relaxed-simd'] : []),
      '--import',
      'tsx',
      'test/browser/fixtures/node-reference.ts',
      JSON.stringify(SETTINGS),
      '1,2',
    ],
    { timeout: 180_000 },
  ).then(({ stdout }) => {
    const list = JSON.parse(stdout.trim().split('\n').pop()!) as NodeReference[];
    return new Map(list.map((r) => [r.threads, r]));
  });
  return reference;
}

/**
 * Chromium sends every request for another host through this proxy (loopback ones go direct),
 * from the page, its workers and their workers alike: it records and refuses them. Chromium's
 * own service traffic (component updates, its clock, sign-in — sent whatever the flags) comes
 * through too and is left out by host; the page's and its dedicated worker's requests to any
 * host, those included, are caught by the context's route as well.
 */
const outsideRequests: string[] = [];
const CHROMIUM_SERVICE_HOSTS = new Set([
  'update.googleapis.com',
  'clients2.google.com',
  'accounts.google.com',
  'redirector.gvt1.com',
  'edgedl.me.gvt1.com',
  'optimizationguide-pa.googleapis.com',
  'safebrowsing.googleapis.com',
  'content-autofill.googleapis.com',
]);

function recordOutside(target: string): void {
  const host = target.startsWith('CONNECT ')
    ? target.slice('CONNECT '.length).replace(/:\d+$/, '')
    : new URL(target).hostname;
  if (!CHROMIUM_SERVICE_HOSTS.has(host)) outsideRequests.push(target);
}
let proxy: Server | undefined;

async function startRecordingProxy(): Promise<Server> {
  const server = createServer((req, res) => {
    recordOutside(req.url ?? '?');
    res.writeHead(403).end();
  });
  server.on('connect', (req: { url?: string }, socket: { destroy(): void }) => {
    recordOutside(`CONNECT ${req.url ?? '?'}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

let demo: BuiltDemo;
let isolated: StaticServer;
let notIsolated: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  demo = await buildDemo();
  isolated = await startStaticServer({ root: demo.dir, isolated: true });
  notIsolated = await startStaticServer({ root: demo.dir, isolated: false });
  proxy = await startRecordingProxy();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's own traffic (component updates, sign-in) would reach the proxy too.
    args: [
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-domain-reliability',
      '--no-pings',
      '--disable-features=OptimizationHints,MediaRouter,Translate,AccountConsistency,SigninInterceptBubble',
    ],
    proxy: {
      server: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      bypass: '127.0.0.1',
    },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await notIsolated?.close();
  const open = proxy;
  if (open !== undefined) await new Promise<void>((resolve) => open.close(() => resolve()));
  if (demo !== undefined) rmSync(demo.dir, { recursive: true, force: true });
});

async function runPage(server: StaticServer, saveReport = false): Promise<Run> {
  const context: BrowserContext = await browser.newContext();
  outsideRequests.length = 0;
  const outside: string[] = outsideRequests;
  const requests: string[] = [];
  // The page's and its dedicated worker's requests pass here (a nested worker's do not; the
  // proxy sees those): anything not on the server is recorded and refused.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith(server.url) || url.startsWith('data:')) await route.continue();
    else {
      outside.push(url);
      await route.abort();
    }
  });
  const page: Page = await context.newPage();
  const consoleErrors: string[] = [];
  const workers: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on('worker', (w) => workers.push(w.url()));
  try {
    await page.goto(server.url + QUERY);
    // Start Node's side as soon as the page knows its WebAssembly features.
    await page.waitForSelector('#threads[data-relaxed-simd]', { timeout: PAGE_TIMEOUT_MS });
    void nodeReference((await page.getAttribute('#threads', 'data-relaxed-simd')) === 'true').catch(
      () => {},
    ); // awaited, and reported, by the test
    await page.waitForFunction(
      () =>
        ['done', 'error'].includes(
          (globalThis as unknown as Dom).document.body.dataset.state ?? '',
        ),
      null,
      { timeout: PAGE_TIMEOUT_MS },
    );
    const results = JSON.parse((await page.textContent('#results')) ?? '{}') as PageResults;
    const plotNodes = await page.evaluate(() => {
      const { document } = globalThis as unknown as Dom;
      return {
        plots: document.querySelectorAll('.js-plotly-plot').length,
        lossPoints: document.querySelectorAll('#loss-chart .scatterlayer .trace').length,
        fitPoints: document.querySelectorAll('#fit-chart .scatterlayer path.point').length,
      };
    });
    let report: string | undefined;
    if (saveReport) {
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        page.click('#save-report'),
      ]);
      report = readFileSync(await download.path(), 'utf8');
    }
    return {
      report,
      results,
      workers,
      consoleErrors,
      outside,
      requests,
      threadsText: (await page.textContent('#threads')) ?? '',
      plotNodes,
    };
  } finally {
    await context.close();
  }
}

describe('browser demo in Chromium', () => {
  it('cross-origin isolated: two Web Workers, Node numbers, charts drawn, nothing external', async () => {
    const run = await runPage(isolated, true);
    expect(run.results.error).toBeUndefined();
    expect(run.results.crossOriginIsolated).toBe(true);
    expect(run.results.threads).toBe(2);
    expect(run.results.training.threads).toBe(2);
    expect(run.results.fit.threads).toBe(2);
    expect(run.threadsText).toMatch(/^Running on 2 threads — the page is cross-origin isolated/);
    // The dedicated worker that computes and the pool's worker.
    expect(run.workers.map((u) => u.slice(isolated.url.length)).sort()).toEqual([
      'demo-worker.js',
      'worker-entry.js',
    ]);
    expect(run.consoleErrors).toEqual([]);
    expect(run.outside, JSON.stringify(run.outside)).toEqual([]);
    expect(run.requests.map((u) => new URL(u).pathname).sort()).toEqual([
      '/',
      '/demo-worker.js',
      '/page.js',
      '/plotly.min.js', // fetched by "Save the report"
      '/theoph.csv',
    ]);
    // The report built in the page: one self-contained file with both charts and the tables.
    const report = run.report!;
    expect(report.length).toBeGreaterThan(4_000_000); // Plotly inlined
    expect(/<script[^>]+src=/.test(report)).toBe(false);
    const body = report.slice(report.lastIndexOf('</head>'));
    expect(body).toContain('Plotly.newPlot("chart1"');
    expect(body).toContain('Plotly.newPlot("chart2"');
    expect(body).toContain(`<td>${run.results.fit.objective.toFixed(6)}</td>`);
    // Charts: Plotly's nodes for the loss curve and one point per observation and prediction.
    expect(run.plotNodes.plots).toBe(2);
    expect(run.plotNodes.lossPoints).toBe(1);
    expect(run.plotNodes.fitPoints).toBe(2 * OBSERVATIONS);
    expect(run.results.fit.dv).toHaveLength(OBSERVATIONS);
    expect(run.results.training.losses).toHaveLength(SETTINGS.epochs);

    const node = (await nodeReference(run.results.wasm.relaxedSimd)).get(2)!;
    expect(node.threads).toBe(2);
    expect(node.relaxedSimd).toBe(run.results.wasm.relaxedSimd);
    expect(node.epochs).toBe(SETTINGS.epochs);
    expect(Math.abs(run.results.training.finalLoss - node.finalLoss)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(run.results.fit.objective - node.objective)).toBeLessThanOrEqual(1e-6);
  }, 240_000);

  it('not isolated: one thread, and the page says why', async () => {
    const run = await runPage(notIsolated);
    expect(run.results.error).toBeUndefined();
    expect(run.results.crossOriginIsolated).toBe(false);
    expect(run.results.threads).toBe(1);
    expect(run.results.training.threads).toBe(1);
    expect(run.threadsText).toMatch(
      /^Running on 1 thread — the page is not cross-origin isolated \(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)/,
    );
    expect(run.workers.map((u) => u.slice(notIsolated.url.length))).toEqual(['demo-worker.js']);
    expect(run.consoleErrors).toEqual([]);
    expect(run.outside).toEqual([]);
    expect(run.plotNodes.fitPoints).toBe(2 * OBSERVATIONS);
    const node = (await nodeReference(run.results.wasm.relaxedSimd)).get(1)!;
    expect(node.threads).toBe(1);
    expect(Math.abs(run.results.training.finalLoss - node.finalLoss)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(run.results.fit.objective - node.objective)).toBeLessThanOrEqual(1e-6);
  }, 240_000);

  it('the request check sees a request outside 127.0.0.1 (control)', async () => {
    outsideRequests.length = 0;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // The page stops at once on a bad setting (and says so): no computation.
      await page.goto(isolated.url + '?epochs=none');
      expect(await page.textContent('#status')).toBe(
        "Error: ?epochs must be an integer from 1 to 100000, got 'none'",
      );
      const status = await page.evaluate(() =>
        fetch('http://scichain-check.invalid/probe').then(
          (r) => r.status,
          () => -1,
        ),
      );
      expect(status).not.toBe(200);
      expect(outsideRequests).toEqual(['http://scichain-check.invalid/probe']);
    } finally {
      await context.close();
    }
  }, 60_000);
});
