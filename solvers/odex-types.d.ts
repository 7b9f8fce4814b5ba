/**
 * Typings of the `odex` package (CommonJS; its own TypeScript source does not pass strict
 * checks): the part of its API the adapter uses. tsconfig `paths` maps `odex` to
 * `./solvers/odex-types.js`, which TypeScript reads as this file; tools that run the sources
 * (tsx, esbuild) find no such .js and take the next entry, odex's own module. The compiled
 * library imports plain `odex`. Compile-time only.
 */
export interface OdexResult {
  y: number[];
  outcome: number;
  nStep: number;
  xEnd: number;
  nAccept: number;
  nReject: number;
  nEval: number;
}
export interface OdexSolver {
  relativeTolerance: number | number[];
  absoluteTolerance: number | number[];
  maxSteps: number;
  maxStepSize: number;
  initialStepSize: number;
  denseOutput: boolean;
  solve(
    f: (x: number, y: number[]) => number[],
    x: number,
    y0: number[],
    xEnd: number,
    solOut?: (
      n: number,
      xOld: number,
      x: number,
      y: number[],
      dense?: (c: number, x: number) => number,
    ) => boolean | void,
  ): OdexResult;
}

/** The module's exports (`module.exports`, which a default import gives). */
declare const odex: { Solver: new (n: number) => OdexSolver };
export default odex;
