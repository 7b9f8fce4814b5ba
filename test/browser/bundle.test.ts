// The library bundles for browsers: esbuild (platform 'browser') resolves every import of the
// root entry and the browser-safe subpaths without a `node:` module, and the bundle evaluates in
// a realm that has no process, Buffer or require (what a page or a Web Worker offers).
import { build, type Metafile } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const ENTRIES = [
  'src/index.ts',
  'src/nn/index.ts',
  'solvers/index.ts',
  'src/training/index.ts',
  'src/pharmacometrics/index.ts',
  'src/report/index.ts',
  'models/index.ts',
  'src/surrogates/index.ts',
  'src/parallel/index.ts',
];

async function bundle(entry: string): Promise<{ text: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'scichain',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // An IIFE has no import.meta: give it the URL a page would.
    define: { 'import.meta.url': '"http://127.0.0.1/lib/index.js"' },
  });
  return { text: result.outputFiles[0].text, metafile: result.metafile };
}

/** The `node:` imports a bundle still holds (esbuild keeps unresolved built-ins as external). */
function nodeImports(metafile: Metafile): string[] {
  const found: string[] = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.path.startsWith('node:') || imp.external === true)
        found.push(`${file} → ${imp.path}`);
    }
  }
  return found;
}

describe('browser bundle', () => {
  it.each(ENTRIES)('%s bundles with no node: import', async (entry) => {
    let result: { text: string; metafile: Metafile };
    try {
      result = await bundle(entry);
    } catch (e) {
      // esbuild refuses a node: import for the browser platform; show which one.
      const errors = (e as { errors?: { text: string; location?: { file: string } }[] }).errors;
      throw new Error(
        `bundling ${entry} failed: ${(errors ?? []).map((x) => `${x.location?.file ?? '?'}: ${x.text}`).join('; ')}`,
        { cause: e },
      );
    }
    expect(nodeImports(result.metafile)).toEqual([]);
  });

  it('the check sees a node: import (control)', async () => {
    await expect(
      build({
        stdin: {
          contents: "import { readFileSync } from 'node:fs'; export const r = readFileSync;",
        },
        bundle: true,
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      }),
    ).rejects.toThrow(/Could not resolve "node:fs"/);
  });

  it('the root bundle evaluates without process, Buffer or require', async () => {
    const { text } = await bundle('src/index.ts');
    // A fresh realm: only the language's built-ins (WebAssembly included) plus the few web APIs
    // a page has that V8 does not provide itself.
    const sandbox: Record<string, unknown> = {
      TextEncoder,
      TextDecoder,
      URL,
      performance,
      console,
      setTimeout,
      clearTimeout,
      queueMicrotask,
      navigator: { hardwareConcurrency: 2 },
    };
    sandbox.self = sandbox;
    sandbox.globalThis = sandbox;
    const lib = runInNewContext(`${text}\n;scichain`, sandbox, { filename: 'scichain.iife.js' }) as
      Record<string, unknown> | undefined;
    expect(lib).toBeTypeOf('object');
    for (const name of ['Rng', 'chain', 'dense', 'Report', 'readNonmemData', 'solve'])
      expect(lib![name], name).toBeTypeOf('function');
    expect('process' in sandbox || 'Buffer' in sandbox || 'require' in sandbox).toBe(false);
  });

  it('odex (CommonJS, a default import) and csv-parse work in the browser bundle', async () => {
    const { text } = await bundle('solvers/index.ts');
    const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder, URL, performance };
    const solvers = runInNewContext(`${text}\n;scichain`, sandbox) as Record<
      string,
      (...args: unknown[]) => unknown
    >;
    const problem = solvers.odeProblem({
      f: (du: number[], u: number[]) => {
        du[0] = -u[0];
      },
      u0: [1],
      tspan: [0, 1],
    });
    const solution = solvers.solveWithOdex(problem, { rtol: 1e-10, atol: 1e-12 }) as {
      retcode: string;
      u: Float64Array; // states by saved time, flat
    };
    expect(solution.retcode).toBe('Success');
    expect(solution.u[solution.u.length - 1]).toBeCloseTo(Math.exp(-1), 9);

    const pk = runInNewContext(
      `${(await bundle('src/pharmacometrics/index.ts')).text}\n;scichain`,
      {
        ...sandbox,
      },
    ) as Record<string, (...args: unknown[]) => unknown>;
    const data = pk.readNonmemData('ID,TIME,DV,AMT,EVID\n1,0,.,100,1\n1,1,"2.5",0,0\n') as {
      subjects: unknown[];
    };
    expect(data.subjects).toHaveLength(1);
  });
});
