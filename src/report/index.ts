/**
 * `scichain/report`: self-contained HTML reports with Plotly charts and tables, and the report
 * sections of a population fit (parameter tables, goodness-of-fit charts, VPC). `toHtml({ plotly })` gives
 * the page (self-contained with the Plotly source it is given), `plotlyFigure(chart)` a chart
 * for a live page; `writeReport` from `scichain/node` (or `report.write(path)`) writes the
 * self-contained file under Node. Nothing here reads a file or imports Plotly.
 *
 * @module scichain/report
 */

/** Self-contained HTML reports with Plotly charts. */
export {
  Report,
  type ChartSpec,
  type Trace,
  type Axis,
  type TableSpec,
  type HtmlOptions,
} from './report.ts';
/** A chart's Plotly data and layout, for drawing it live in a page (`Plotly.newPlot`). */
export { plotlyFigure, type PlotlyFigure } from './report.ts';
/** Report sections of a population fit (tables, goodness-of-fit charts, VPC). */
export { addPopulationSections } from '../pharmacometrics/report/population-report.ts';
