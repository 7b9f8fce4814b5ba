// File errors name the file and keep Node's error as `cause`; outside Node (a realm without
// `process`, as in a browser) the file functions are Unsupported errors saying what needed them.
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../src/core/errors.ts';
import {
  loadCheckpoint,
  loadParameters,
  plotlySource,
  readNonmemFile,
  saveParameters,
  writeFileAtomic,
  writeReport,
} from '../../src/node.ts';
import { parameters, scalar } from '../../src/parameters/layout.ts';
import { Report } from '../../src/report/report.ts';

function caught(f: () => unknown): ScichainError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScichainError);
    return e as ScichainError;
  }
  throw new Error('expected an error');
}

const codeOf = (e: Error): unknown => (e.cause as { code?: unknown } | undefined)?.code;

describe('file errors keep their cause', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scichain-cause-'));

  it('a missing data file: the message names it, the cause is ENOENT', () => {
    const path = join(dir, 'missing.csv');
    const e = caught(() => readNonmemFile(path));
    expect(e.code).toBe('InvalidArgument');
    expect(e.message).toContain(`cannot read data file ${path}: ENOENT`);
    expect(codeOf(e)).toBe('ENOENT');
  });

  it('a parameter file that is not JSON: the cause is the SyntaxError', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"version": 1, "blocks": [');
    const layout = parameters({ a: scalar(1) });
    const e = caught(() => loadParameters(path, layout));
    expect(e.message).toContain(`parameter file ${path} is not valid JSON`);
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it('a checkpoint in a folder that is a file: ENOTDIR as cause', () => {
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    const e = caught(() => loadCheckpoint(join(file, 'c.json')));
    expect(e.message).toContain(join(file, 'c.json'));
    expect(codeOf(e)).toBe('ENOTDIR');
  });

  it('an atomic write that cannot create its folder: the cause is the mkdir error', () => {
    const file = join(dir, 'blocker');
    writeFileSync(file, 'x');
    const layout = parameters({ a: scalar(1) });
    const e = caught(() => saveParameters(join(file, 'sub', 'p.json'), layout, layout.initial()));
    expect(e.message).toContain(`cannot write parameter file ${join(file, 'sub', 'p.json')}`);
    expect(['ENOTDIR', 'EEXIST']).toContain(codeOf(e));
  });

  it('a serialisation error is the cause of the write error, and nothing is written', () => {
    const boom = new RangeError('too big');
    const e = caught(() =>
      writeFileAtomic(join(dir, 'never.txt'), () => {
        throw boom;
      }),
    );
    expect(e.message).toContain('too big (nothing was written)');
    expect(e.cause).toBe(boom);
  });

  it('writeReport inlines the installed Plotly; toHtml alone reads no file', () => {
    const report = new Report('r').chart({ traces: [{ x: [1, 2], y: [3, 4] }] });
    const bare = report.toHtml();
    expect(bare.length).toBeLessThan(10_000);
    expect(bare).toContain('This chart needs Plotly');
    const path = writeReport(report, join(dir, 'r.html'));
    expect(path).toBe(join(dir, 'r.html'));
    expect(plotlySource().length).toBeGreaterThan(1_000_000);
    expect(report.toHtml({ plotly: 'var Plotly = {};' })).toContain(
      '<script>var Plotly = {};</script>',
    );
  });
});

describe('outside Node', () => {
  it('file functions are Unsupported errors naming what needed the file system', async () => {
    const result = await build({
      entryPoints: ['src/node.ts'],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'lib',
      write: false,
      logLevel: 'silent',
      define: { 'import.meta.url': '"http://127.0.0.1/node.js"' },
    });
    const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder, URL, performance };
    const lib = runInNewContext(`${result.outputFiles[0].text}\n;lib`, sandbox) as Record<
      string,
      (...args: unknown[]) => unknown
    >;
    const error = (f: () => unknown): { name: string; code: string; message: string } => {
      try {
        f();
      } catch (e) {
        return e as { name: string; code: string; message: string };
      }
      throw new Error('expected an error');
    };
    const read = error(() => lib.readNonmemFile('/data/theoph.csv'));
    expect(read.name).toBe('ScichainError');
    expect(read.code).toBe('Unsupported');
    expect(read.message).toMatch(/^reading data file \/data\/theoph\.csv needs Node's node:fs/);
    expect(error(() => lib.plotlySource()).message).toMatch(
      /^reading the Plotly bundle for a report needs Node's node:module/,
    );
    // A signal watch outside Node installs nothing and reports nothing.
    const watch = new (
      lib.SignalWatch as unknown as new (on: boolean) => {
        pending: unknown;
        dispose(): void;
      }
    )(true);
    expect(watch.pending).toBeUndefined();
    watch.dispose();
  });
});
