/**
 * `scichain/report`: self-contained HTML reports with Plotly charts and tables, and the report
 * sections of a population fit (parameter tables, goodness-of-fit charts, VPC). `toHTML()` gives
 * the page; `write(path)` writes it to a file under Node.
 *
 * @module report
 */

/** Self-contained HTML reports with Plotly charts. */
export { Report, type ChartSpec, type Trace, type Axis, type TableSpec } from './report.ts';
/** Report sections of a population fit (tables, goodness-of-fit charts, VPC). */
export { addPopulationSections } from '../pharmacometrics/report/population-report.ts';
