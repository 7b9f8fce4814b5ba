/**
 * HTML reports: headings, text, tables and Plotly charts in one page. The module reads no file
 * and imports no Plotly: {@link Report.toHtml} inlines the Plotly source it is given (a
 * self-contained page that opens offline), {@link plotlyFigure} turns a chart into the data and
 * layout for a live `Plotly.newPlot` in a browser page, and under Node {@link Report.write} (or
 * `writeReport` from `scichain/node`) writes the file with the `plotly.js-dist-min` bundle
 * inlined. Examples write theirs to `reports/`.
 */
import { ScichainError } from '../core/errors.ts';
import { escapeHtml, scriptJson } from './html.ts';
import { writeFileAtomic, type AtomicWriteFs } from '../io/write-file-atomic.ts';
import { plotlySource } from '../io/plotly-source.ts';

/** One series of a chart. */
export interface Trace {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  name?: string;
  /** Default `'lines'`. */
  mode?: 'lines' | 'markers' | 'lines+markers';
  color?: string;
  dash?: 'solid' | 'dash' | 'dot' | 'dashdot';
  markerSize?: number;
  opacity?: number;
}

/** Axis settings. */
export interface Axis {
  title?: string;
  /** Logarithmic axis. */
  log?: boolean;
  range?: [number, number];
}

/** A line/scatter chart with several traces. */
export interface ChartSpec {
  title?: string;
  traces: Trace[];
  x?: Axis;
  y?: Axis;
  /** Pixels (default 420). */
  height?: number;
  /** Same scale on both axes (predicted-vs-true plots). */
  equalAspect?: boolean;
}

/** A table; numbers are printed with `digits` significant digits (default 4). */
export interface TableSpec {
  columns: string[];
  rows: (string | number)[][];
  caption?: string;
  digits?: number;
}

type Section =
  | { kind: 'heading'; text: string; level: number }
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'table'; table: TableSpec }
  | { kind: 'chart'; chart: ChartSpec };

/** Options of {@link Report.toHtml}. */
export interface HtmlOptions {
  /**
   * The Plotly library's source (the text of `plotly.js-dist-min/plotly.min.js`), inlined so
   * the page draws its charts offline. Without it the page expects a global `Plotly` (loaded by
   * the page that embeds it) and otherwise says, in place of each chart, that Plotly is missing.
   * Under Node `plotlySource()` from `scichain/node` reads it; a bundler can import the file as
   * text.
   */
  plotly?: string;
}

/** A chart as Plotly takes it: `Plotly.newPlot(element, figure.data, figure.layout)`. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

function formatCell(v: string | number, digits: number): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6)
    ? v.toExponential(digits - 1)
    : Number(v.toPrecision(digits)).toString();
}

/**
 * The Plotly data and layout of a chart — the same the report page draws — for drawing it live
 * in a browser page (`Plotly.newPlot(div, f.data, f.layout)`, `Plotly.react` to update).
 * Throws a `ShapeMismatch` naming the chart and trace when a trace's x and y differ in length.
 */
export function plotlyFigure(chart: ChartSpec): PlotlyFigure {
  const data = chart.traces.map((t, i) => {
    if (t.x.length !== t.y.length) {
      throw new ScichainError(
        'ShapeMismatch',
        `chart '${chart.title ?? ''}' trace ${i + 1} has ${t.x.length} x values but ${t.y.length} y values`,
      );
    }
    const mode = t.mode ?? 'lines';
    return {
      type: 'scatter',
      mode,
      name: t.name ?? `trace ${i + 1}`,
      x: Array.from(t.x, (v) => (Number.isFinite(v) ? v : null)),
      y: Array.from(t.y, (v) => (Number.isFinite(v) ? v : null)),
      opacity: t.opacity ?? 1,
      line: { color: t.color, dash: t.dash ?? 'solid' },
      marker: { color: t.color, size: t.markerSize ?? 5 },
    };
  });
  const axis = (a: Axis | undefined): Record<string, unknown> => ({
    title: { text: a?.title ?? '' },
    type: a?.log ? 'log' : 'linear',
    ...(a?.range ? { range: a.log ? a.range.map(Math.log10) : a.range } : {}),
    zeroline: false,
  });
  const layout = {
    title: { text: chart.title ?? '' },
    height: chart.height ?? 420,
    margin: { l: 70, r: 20, t: chart.title ? 50 : 20, b: 60 },
    xaxis: axis(chart.x),
    yaxis: { ...axis(chart.y), ...(chart.equalAspect ? { scaleanchor: 'x', scaleratio: 1 } : {}) },
    legend: { orientation: 'h', y: -0.2 },
    template: 'plotly_white',
  };
  return { data, layout };
}

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #ddd;padding-bottom:.3em}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
caption{caption-side:top;text-align:left;color:#555;padding-bottom:.3em}pre{background:#f6f6f6;padding:.8em;overflow:auto}
.chart{margin:1.5em 0}.meta{color:#666;font-size:.9em}`;

const NO_PLOTLY =
  'This chart needs Plotly, which the page was made without (Report.toHtml({ plotly }), or write it with Report.write / writeReport from scichain/node).';

/** A report under construction; sections appear in the order they are added. */
export class Report {
  private readonly sections: Section[] = [];
  /** Title of the page. */
  readonly title: string;
  private readonly subtitle: string | undefined;

  constructor(title: string, subtitle?: string) {
    this.title = title;
    this.subtitle = subtitle;
  }

  /** A section heading (level 2 by default). */
  heading(text: string, level = 2): this {
    this.sections.push({ kind: 'heading', text, level: Math.min(6, Math.max(2, level)) });
    return this;
  }

  /** A paragraph of plain text. */
  text(text: string): this {
    this.sections.push({ kind: 'text', text });
    return this;
  }

  /** Preformatted text (equations, configuration). */
  code(text: string): this {
    this.sections.push({ kind: 'code', text });
    return this;
  }

  /** A table. */
  table(table: TableSpec): this {
    for (const [i, row] of table.rows.entries()) {
      if (row.length !== table.columns.length) {
        throw new ScichainError(
          'ShapeMismatch',
          `table row ${i + 1} has ${row.length} cells but there are ${table.columns.length} columns`,
        );
      }
    }
    this.sections.push({ kind: 'table', table });
    return this;
  }

  /** A line/scatter chart. */
  chart(chart: ChartSpec): this {
    plotlyFigure(chart); // validate now, where the caller is
    this.sections.push({ kind: 'chart', chart });
    return this;
  }

  /**
   * The complete HTML document; with `options.plotly` (the Plotly source) it is self-contained.
   * Reads no file.
   */
  toHtml(options: HtmlOptions = {}): string {
    const body: string[] = [];
    const scripts: string[] = [];
    let chartIndex = 0;
    for (const s of this.sections) {
      switch (s.kind) {
        case 'heading':
          body.push(`<h${s.level}>${escapeHtml(s.text)}</h${s.level}>`);
          break;
        case 'text':
          body.push(`<p>${escapeHtml(s.text)}</p>`);
          break;
        case 'code':
          body.push(`<pre>${escapeHtml(s.text)}</pre>`);
          break;
        case 'table': {
          const d = s.table.digits ?? 4;
          const head = s.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
          const rows = s.table.rows
            .map(
              (r) =>
                `<tr>${r.map((v) => `<td>${escapeHtml(formatCell(v, d))}</td>`).join('')}</tr>`,
            )
            .join('\n');
          const caption = s.table.caption
            ? `<caption>${escapeHtml(s.table.caption)}</caption>`
            : '';
          body.push(
            `<table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`,
          );
          break;
        }
        case 'chart': {
          const id = `chart${++chartIndex}`;
          const { data, layout } = plotlyFigure(s.chart);
          body.push(`<div class="chart" id="${id}"></div>`);
          scripts.push(
            `Plotly.newPlot(${scriptJson(id)}, ${scriptJson(data)}, ${scriptJson(layout)}, {responsive: true, displaylogo: false});`,
          );
          break;
        }
      }
    }
    const subtitle = this.subtitle ? `<p class="meta">${escapeHtml(this.subtitle)}</p>` : '';
    const plotly =
      chartIndex > 0 && options.plotly !== undefined
        ? `<script>${options.plotly.replace(/<\/script/gi, '<\\/script')}</script>`
        : '';
    // Without Plotly (not inlined, not loaded by an embedding page) each chart says so.
    const charts =
      chartIndex > 0
        ? `if (typeof Plotly === 'undefined') {\nfor (const el of document.querySelectorAll('.chart')) el.textContent = ${scriptJson(NO_PLOTLY)};\n} else {\n${scripts.join('\n')}\n}`
        : '';
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(this.title)}</title><style>${STYLE}</style>${plotly}</head>
<body><h1>${escapeHtml(this.title)}</h1>${subtitle}
${body.join('\n')}
<script>${charts}</script>
</body></html>
`;
  }

  /**
   * Node only: writes the self-contained page (the installed `plotly.js-dist-min` bundle
   * inlined, or `options.plotly`) atomically, creating folders — a failed write leaves any
   * previous report intact — and returns the absolute path. The same as `writeReport` from
   * `scichain/node`; elsewhere an `Unsupported` error. `fs` replaces the file-system calls
   * (for tests).
   */
  write(path: string, options: { fs?: AtomicWriteFs; plotly?: string } = {}): string {
    const { fs, plotly } = options;
    return writeFileAtomic(
      path,
      () => this.toHtml({ plotly: plotly ?? (this.hasCharts() ? plotlySource() : undefined) }),
      { what: 'report', ...(fs === undefined ? {} : { fs }) },
    );
  }

  /** Whether the report has a chart (and so needs Plotly). */
  hasCharts(): boolean {
    return this.sections.some((s) => s.kind === 'chart');
  }
}
