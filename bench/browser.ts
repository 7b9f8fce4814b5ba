/**
 * `browser`: the matrix-exponential epoch time in Chromium against Node on the same machine, on
 * one and two threads. Chromium (headless, Debian's /usr/bin/chromium or `--chromium PATH`)
 * loads the browser demo (examples/browser, built by esbuild, served cross-origin isolated) with
 * `?threads=T&fit=no`; Node runs the same library call (examples/browser/compute.ts
 * trainNetwork) in this process. Each runtime and thread count runs `--repeats` times (default
 * 3) for `--epochs` epochs (default 300) on `--train` matrices (default 10,000, the protocol's);
 * a run's figure is its median epoch time after the first tenth, the reported value the median
 * over runs. Then the ratio Chromium / Node per thread count. The runtimes' WebAssembly features
 * are in the context (Chromium has relaxed SIMD, Node 20 only behind a flag).
 */
import { chromium } from 'playwright-core';
import { rmSync } from 'node:fs';
import { buildDemo } from '../examples/browser/demo.ts';
import { startStaticServer } from '../examples/browser/static-server.ts';
import { trainNetwork } from '../examples/browser/compute.ts';
import { wasmFeatures } from '../src/nn/index.ts';
import { ThreadPool } from '../src/parallel/index.ts';
import { emit, median, numberOption } from './harness.ts';

interface PageRun {
  threads: number;
  wasm: { relaxedSimd: boolean };
  training: { msPerEpoch: number; finalLoss: number; threads: number };
  error?: string;
}

export async function run(args: string[]): Promise<void> {
  const epochs = numberOption(args, 'epochs', 300);
  const train = numberOption(args, 'train', 10_000);
  const repeats = numberOption(args, 'repeats', 3);
  const c = args.indexOf('--chromium');
  const executablePath = c < 0 ? '/usr/bin/chromium' : (args[c + 1] ?? '');
  const settings = { epochs, train, seed: 1 };

  const demo = await buildDemo();
  let server: Awaited<ReturnType<typeof startStaticServer>> | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    server = await startStaticServer({ root: demo.dir, isolated: true });
    browser = await chromium.launch({ executablePath, headless: true });
    const browserVersion = browser.version();
    for (const threads of [1, 2]) {
      const browserMs: number[] = [];
      let relaxedSimd = false;
      let browserLoss = NaN;
      for (let r = 0; r < repeats; r++) {
        const page = await browser.newPage();
        try {
          await page.goto(
            `${server.url}?epochs=${epochs}&train=${train}&seed=1&threads=${threads}&fit=no`,
          );
          await page.waitForFunction(
            () =>
              ['done', 'error'].includes(
                (globalThis as unknown as { document: { body: { dataset: { state?: string } } } })
                  .document.body.dataset.state ?? '',
              ),
            null,
            { timeout: 600_000 },
          );
          const result = JSON.parse((await page.textContent('#results')) ?? '{}') as PageRun;
          if (result.error !== undefined) throw new Error(`the demo page failed: ${result.error}`);
          if (result.training.threads !== threads)
            throw new Error(`the page ran on ${result.training.threads} threads, not ${threads}`);
          browserMs.push(result.training.msPerEpoch);
          relaxedSimd = result.wasm.relaxedSimd;
          browserLoss = result.training.finalLoss;
        } finally {
          await page.close();
        }
      }

      const nodeMs: number[] = [];
      let nodeLoss = NaN;
      const pool = threads > 1 ? new ThreadPool({ threads }) : undefined;
      try {
        await pool?.ready();
        for (let r = 0; r < repeats; r++) {
          const outcome = trainNetwork(settings, pool);
          nodeMs.push(outcome.msPerEpoch);
          nodeLoss = outcome.finalLoss;
        }
      } finally {
        pool?.close();
      }

      const context = { threads, epochs, train, repeats, dtype: 'float32' };
      const chromiumMedian = median(browserMs);
      const nodeMedian = median(nodeMs);
      emit({
        bench: 'browser',
        metric: 'epoch_ms',
        value: chromiumMedian,
        unit: 'ms',
        runtime: 'chromium',
        version: browserVersion,
        relaxedSimd,
        finalLoss: browserLoss,
        ...context,
      });
      emit({
        bench: 'browser',
        metric: 'epoch_ms',
        value: nodeMedian,
        unit: 'ms',
        runtime: 'node',
        version: process.version,
        relaxedSimd: wasmFeatures().relaxedSimd,
        finalLoss: nodeLoss,
        ...context,
      });
      emit({
        bench: 'browser',
        metric: 'chromium_over_node',
        value: chromiumMedian / nodeMedian,
        unit: 'x',
        ...context,
      });
    }
  } finally {
    // Whatever started, even when a later step failed (a server left listening keeps the process).
    await browser?.close();
    await server?.close();
    rmSync(demo.dir, { recursive: true, force: true });
  }
}
