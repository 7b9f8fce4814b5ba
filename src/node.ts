/**
 * `scichain/node`: what needs Node's file system or process signals — parameter and checkpoint
 * files, NONMEM data read from a path, self-contained reports written to disk, atomic writes,
 * and the Ctrl-C conventions of long runs. Everything else (networks, solvers, training, models,
 * population fits, building reports) lives in the other entry points and runs in browsers and
 * Web Workers too; there, pass data as text (`readNonmemData(csvText)`), parameters as JSON
 * (`parametersFromJson`) and draw charts with `plotlyFigure`.
 *
 * The functions here get `node:fs` and friends through `process.getBuiltinModule` (Node ≥ 20.16)
 * when called. File errors are `ScichainError`s naming the file, with Node's error (its `code`,
 * e.g. `ENOENT`) as `cause`.
 *
 * @module scichain/node
 */
import type { Report } from './report/report.ts';
import type { AtomicWriteFs } from './io/write-file-atomic.ts';
/** The part of Node's file system the writer uses (what an injected `fs` provides). */
export type { NodeFs } from './io/node-builtins.ts';

/** Parameter files: θ as JSON with its layout, written atomically. */
export { saveParameters, loadParameters } from './parameters/parameter-file.ts';
/** Training checkpoints (atomic, validated). */
export { saveCheckpoint, loadCheckpoint } from './training/checkpoint.ts';
/** Checkpoints of phased minimisation and of population and neural population fits. */
export { loadPhasesCheckpoint } from './optim/minimize-phases.ts';
export { loadPopulationFitCheckpoint } from './pharmacometrics/estimation/fit-checkpoint.ts';
export { loadNeuralFitCheckpoint } from './pharmacometrics/estimation/neural-fit-checkpoint.ts';
/** NONMEM-style data from a CSV file (`readNonmemData` takes the text itself, anywhere). */
export { readNonmemFile } from './pharmacometrics/nonmem-data.ts';
/** Atomic file writes (temporary file, fsync, rename). */
export {
  writeFileAtomic,
  type AtomicWriteFs,
  type WriteFileAtomicOptions,
} from './io/write-file-atomic.ts';
/** Reading text and JSON files with errors that name them. */
export { readTextFile, readJsonFile } from './io/read-text-file.ts';
/** Where and how often long runs write their checkpoint. */
export type { CheckpointTarget } from './io/checkpoint-file.ts';
/** SIGINT/SIGTERM conventions for command-line programs and long runs. */
export { SignalWatch, signalExitCode } from './io/signals.ts';
/** The installed Plotly bundle's source (what self-contained reports inline). */
export { plotlySource } from './io/plotly-source.ts';

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** The Plotly source to inline (default: the installed `plotly.js-dist-min`, {@link plotlySource}). */
  plotly?: string;
  /** File-system calls (for tests; default `node:fs`). */
  fs?: AtomicWriteFs;
}

/**
 * Writes `report` as one self-contained HTML file (Plotly inlined when it has charts) to `path`
 * atomically, creating folders; a failed write leaves any previous file intact. Returns the
 * absolute path.
 */
export function writeReport(
  report: Report,
  path: string,
  options: WriteReportOptions = {},
): string {
  return report.write(path, options);
}
