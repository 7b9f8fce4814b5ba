/**
 * The demo page's script: starts the dedicated worker that computes, draws the training loss as
 * it arrives and, after the fit, observed against predicted concentrations (charts built with
 * scichain/report's plotlyFigure, drawn by Plotly imported as a module — no network access),
 * and shows the thread count and why. The results also go, as JSON, to `#results` and the
 * page's state to `body[data-state]` (running, done, error) for the browser test.
 */
import Plotly, { type Data, type Layout } from 'plotly.js-dist-min';
import { escapeHtml } from '../../src/report/html.ts';
import { plotlyFigure, Report, type ChartSpec } from '../../src/report/index.ts';
import type { FitOutcome, TrainingOutcome } from './compute.ts';
import { settingsFromQuery } from './settings.ts';
import type { StartMessage, WorkerMessage } from './protocol.ts';

/** The few DOM members used here (the project's TypeScript settings have no DOM library). */
interface Element {
  textContent: string | null;
  innerHTML: string;
  dataset: Record<string, string | undefined>;
  disabled?: boolean;
  href?: string;
  download?: string;
  onclick?: (() => void) | null;
  click(): void;
}
interface Page {
  document: {
    getElementById(id: string): Element | null;
    createElement(tag: 'a'): Element;
    body: Element;
  };
  location: { search: string };
  Worker: new (
    url: URL,
    options: { type: 'module' },
  ) => {
    postMessage(message: StartMessage): void;
    onmessage: ((event: { data: WorkerMessage }) => void) | null;
    onerror: ((event: { message?: string }) => void) | null;
  };
}

const page = globalThis as unknown as Page;
const byId = (id: string): Element => {
  const el = page.document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el;
};

const results: Record<string, unknown> = {};

function setState(state: 'running' | 'done' | 'error', text: string): void {
  page.document.body.dataset.state = state;
  byId('status').textContent = text;
}

function fail(message: string): void {
  results.error = message;
  byId('results').textContent = JSON.stringify(results, null, 1);
  setState('error', `Error: ${message}`);
}

function table(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

const lossChart: ChartSpec = {
  title: 'Training loss (MSE, float32, full-batch Adam)',
  traces: [{ x: [], y: [], name: 'train MSE' }],
  x: { title: 'epoch' },
  y: { title: 'MSE', log: true },
  height: 360,
};
let lossDrawn: Promise<unknown> | null = null;

function drawLosses(first: number, losses: number[]): void {
  const x = losses.map((_, i) => first + i);
  if (lossDrawn === null) {
    const figure = plotlyFigure({
      ...lossChart,
      traces: [{ ...lossChart.traces[0], x, y: losses }],
    });
    lossDrawn = Plotly.newPlot(
      'loss-chart',
      figure.data as Data[],
      figure.layout as Partial<Layout>,
      {
        displaylogo: false,
        responsive: true,
      },
    );
  } else {
    void lossDrawn.then(() => Plotly.extendTraces('loss-chart', { x: [x], y: [losses] }, [0]));
  }
}

/** What the report saved from the page holds: the tables and charts as shown. */
const shown: { training?: [string, string][]; fit?: [string, string][]; fitChart?: ChartSpec } = {};

function showTraining(o: TrainingOutcome): void {
  results.training = o;
  shown.training = [
    ['epochs', String(o.losses.length)],
    ['final train MSE', o.finalLoss.toPrecision(8)],
    ['ms per epoch (median)', o.msPerEpoch.toFixed(3)],
    ['parameters', String(o.paramCount)],
    ['threads', String(o.threads)],
  ];
  byId('training').innerHTML = table(shown.training);
}

async function showFit(o: FitOutcome): Promise<void> {
  results.fit = o;
  const top = Math.max(...o.dv, ...o.pred, ...o.ipred) * 1.05;
  shown.fitChart = {
    title: 'Theophylline: observed against predicted concentration (mg/L)',
    traces: [
      { x: o.pred, y: o.dv, name: 'PRED', mode: 'markers', color: '#1f77b4' },
      { x: o.ipred, y: o.dv, name: 'IPRED', mode: 'markers', color: '#d62728' },
      { x: [0, top], y: [0, top], name: 'identity', color: '#888', dash: 'dash' },
    ],
    x: { title: 'predicted', range: [0, top] },
    y: { title: 'observed (DV)', range: [0, top] },
    equalAspect: true,
    height: 480,
  };
  const figure = plotlyFigure(shown.fitChart);
  await Plotly.newPlot('fit-chart', figure.data as Data[], figure.layout as Partial<Layout>, {
    displaylogo: false,
    responsive: true,
  });
  shown.fit = [
    ['objective (−2LL without N·ln 2π, NONMEM convention)', o.objective.toFixed(6)],
    ['outer iterations', String(o.iterations)],
    ...Object.entries(o.estimates).map(([k, v]): [string, string] => [k, v.toPrecision(5)]),
    ['seconds', o.seconds.toFixed(2)],
    ['threads', String(o.threads)],
  ];
  byId('fit').innerHTML = table(shown.fit);
}

/**
 * Builds the page's results as a scichain Report — in the browser — and saves it as one HTML
 * file with the Plotly source (served beside the page) inlined, so it opens offline.
 */
async function saveReport(): Promise<void> {
  const url = new URL('./plotly.min.js', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.href}: HTTP ${response.status}`);
  const plotly = await response.text();
  const training = results.training as TrainingOutcome;
  const report = new Report(
    'scichain in the browser',
    `${String(results.threads)} thread(s): ${String(results.reason)}`,
  )
    .heading('Network')
    .table({ columns: ['', 'value'], rows: shown.training ?? [] })
    .chart({
      ...lossChart,
      traces: [
        {
          ...lossChart.traces[0],
          x: training.losses.map((_, i) => i + 1),
          y: training.losses,
        },
      ],
    });
  if (shown.fit !== undefined && shown.fitChart !== undefined)
    report
      .heading('Theophylline fit')
      .table({ columns: ['', 'value'], rows: shown.fit })
      .chart(shown.fitChart);
  const html = report.toHtml({ plotly });
  const link = page.document.createElement('a');
  link.href = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  link.download = 'scichain-demo-report.html';
  link.click();
  const href = link.href;
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

function enableSaving(): void {
  const button = byId('save-report');
  button.disabled = false;
  button.onclick = () => {
    saveReport().catch((e: unknown) => fail(`saving the report failed: ${(e as Error).message}`));
  };
}

function main(): void {
  let settings;
  try {
    settings = settingsFromQuery(page.location.search);
  } catch (e) {
    fail((e as Error).message);
    return;
  }
  results.settings = settings;
  setState('running', 'starting the worker…');
  const worker = new page.Worker(new URL('./demo-worker.js', import.meta.url), { type: 'module' });
  worker.onerror = (event) => fail(`the demo worker failed: ${event.message ?? 'unknown error'}`);
  worker.onmessage = (event) => {
    const m = event.data;
    switch (m.type) {
      case 'threads':
        results.threads = m.threads;
        results.reason = m.reason;
        results.crossOriginIsolated = m.crossOriginIsolated;
        results.wasm = m.wasm;
        byId('threads').textContent =
          `Running on ${m.threads} thread${m.threads === 1 ? '' : 's'} — ${m.reason}.`;
        byId('threads').dataset.threads = String(m.threads);
        byId('threads').dataset.relaxedSimd = String(m.wasm.relaxedSimd);
        setState('running', `training the network for ${settings.epochs} epochs…`);
        break;
      case 'epochs':
        drawLosses(m.first, m.losses);
        break;
      case 'trained':
        showTraining(m.outcome);
        if (settings.fit) {
          setState(
            'running',
            `fitting the Theophylline model (${settings.method}, ${settings.subjects} subjects)…`,
          );
        } else {
          byId('results').textContent = JSON.stringify(results, null, 1);
          enableSaving();
          setState('done', 'done (no fit: ?fit=no)');
        }
        break;
      case 'fitted':
        showFit(m.outcome).then(
          () => {
            byId('results').textContent = JSON.stringify(results, null, 1);
            enableSaving();
            setState('done', 'done');
          },
          (e: unknown) => fail(`drawing the fit failed: ${(e as Error).message}`),
        );
        break;
      case 'error':
        fail(m.message);
        break;
    }
  };
  worker.postMessage({
    type: 'start',
    settings,
    csvUrl: new URL('./theoph.csv', import.meta.url).href,
  });
}

main();
