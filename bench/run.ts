/**
 * `npm run bench -- <name> [options]`: runs one benchmark and prints JSON lines.
 * Benchmarks: mexp (matrix-exponential training), vjp (single-sample forward + pullback), ode
 * (work–precision of the ODE solvers), ude (loss and gradient of the Lotka–Volterra UDE),
 * surrogates (forward + pullback of Chebyshev, Fourier and small-network terms), theoph (the
 * Theophylline FOCEI population fit), gemm (batched dense products, WebAssembly against TypeScript,
 * one and several threads), population (the Theophylline FOCEI objective on 1 and 2 threads),
 * package (dist and tarball sizes, time to first import, browser bundle sizes), browser (the
 * matrix-exponential epoch time in Chromium against Node, one and two threads).
 */
const benches: Record<string, () => Promise<{ run(args: string[]): Promise<void> | void }>> = {
  mexp: () => import('./mexp.ts'),
  vjp: () => import('./vjp.ts'),
  ode: () => import('./ode.ts'),
  ude: () => import('./ude.ts'),
  surrogates: () => import('./surrogates.ts'),
  theoph: () => import('./theoph.ts'),
  gemm: () => import('./gemm.ts'),
  population: () => import('./population.ts'),
  soak: () => import('./soak.ts'),
  compile: () => import('./compile.ts'),
  package: () => import('./package.ts'),
  browser: () => import('./browser.ts'),
};

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in benches)) {
  console.error(
    `usage: npm run bench -- <name> [options]\nbenchmarks: ${Object.keys(benches).join(', ')}`,
  );
  process.exit(2);
}
await (await benches[name]()).run(args);
