// Files are written atomically (issue 17, defect 15): a write that fails half-way — a full
// disk, a file-size limit, a failed rename, a value whose serialisation throws — leaves the
// previous file byte for byte intact and no temporary file behind, and the error names the path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chain, dense, parameters, Report, scalar, ScichainError } from '../../src/index.ts';
import { loadParameters, saveParameters } from '../../src/parameters/parameter-file.ts';
import { saveCheckpoint } from '../../src/training/checkpoint.ts';
import { writeFileAtomic, type AtomicWriteFs } from '../../src/io/write-file-atomic.ts';
import { type TrainingCheckpoint } from '../../src/training/index.ts';

const made: string[] = [];
const folder = () => {
  const f = mkdtempSync(join(tmpdir(), 'scichain-atomic-'));
  made.push(f);
  return f;
};
afterAll(() => {
  for (const f of made) rmSync(f, { recursive: true, force: true });
});

/** node:fs with one call replaced by a failure (after `after` successful calls). */
function failing(call: keyof AtomicWriteFs, code: string, after = 0): AtomicWriteFs {
  let calls = 0;
  const fail = () => {
    const e = new Error(`${code}: simulated failure, ${call}`) as NodeJS.ErrnoException;
    e.code = code;
    throw e;
  };
  const real = fs as unknown as AtomicWriteFs;
  return {
    mkdirSync: (p, o) => real.mkdirSync(p, o),
    openSync: (p, f, m) =>
      call === 'openSync' && calls++ >= after ? fail() : real.openSync(p, f, m),
    // A full disk: the first chunk goes out, then ENOSPC.
    writeSync: (fd, b, o, l) => {
      if (call !== 'writeSync') return real.writeSync(fd, b, o, l);
      if (calls++ >= after) fail();
      return real.writeSync(fd, b, o, Math.min(l, 100));
    },
    fsyncSync: (fd) => (call === 'fsyncSync' ? fail() : real.fsyncSync(fd)),
    closeSync: (fd) => real.closeSync(fd),
    renameSync: (a, b) => (call === 'renameSync' ? fail() : real.renameSync(a, b)),
    unlinkSync: (p) => real.unlinkSync(p),
  };
}

const layout = () =>
  parameters({
    k: scalar(2, { transform: 'positive' }),
    net: chain(2, dense(3, 'tanh'), dense(1)),
  });

describe('atomic writes', () => {
  it.skipIf(process.platform === 'win32')(
    'a write cut off by a file-size limit (EFBIG, like a full disk) leaves the old file intact',
    () => {
      const kinds = ['parameters', 'report', 'checkpoint'];
      const dir = folder();
      const paths = kinds.map((kind) => join(dir, `${kind}.json`));
      const L = layout();
      saveParameters(paths[0], L, L.initial({ seed: 7 }));
      writeFileSync(paths[1], 'old report\n');
      writeFileSync(paths[2], 'old checkpoint\n');
      const before = paths.map((p) => readFileSync(p, 'utf8'));
      // 8 KB limit: each new file (64 KB and more) fails part-way through. One child for all.
      const args = kinds.map((k, i) => `${k} "${paths[i]}"`).join(' ');
      const out = execFileSync(
        'bash',
        [
          '-c',
          `ulimit -f 8; exec "${process.execPath}" --import tsx test/parameters/fixtures/write-under-limit.ts ${args}`,
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n');
      kinds.forEach((kind, i) => {
        expect(out[i], kind).toMatch(
          /^ScichainError: cannot write (parameter file|report|checkpoint file) /,
        );
        expect(out[i], kind).toContain(paths[i]);
        expect(out[i], kind).toMatch(/EFBIG|file too large/);
        expect(readFileSync(paths[i], 'utf8'), kind).toBe(before[i]);
      });
      expect(readdirSync(dir).sort()).toEqual(kinds.map((k) => `${k}.json`).sort());
      expect(loadParameters(paths[0], L)).toHaveLength(L.paramCount);
    },
  );

  it('a failed write, fsync or rename leaves the old parameter file and no temporary file', () => {
    for (const [call, code] of [
      ['writeSync', 'ENOSPC'],
      ['fsyncSync', 'EIO'],
      ['renameSync', 'EACCES'],
      ['openSync', 'EROFS'],
    ] as const) {
      const dir = folder();
      const path = join(dir, 'fit.json');
      const L = layout();
      saveParameters(path, L, L.initial({ seed: 1 }));
      const before = readFileSync(path, 'utf8');
      let error: unknown;
      try {
        saveParameters(path, L, L.initial({ seed: 2 }), {
          fs: failing(call, code, call === 'writeSync' ? 1 : 0),
        });
      } catch (e) {
        error = e;
      }
      expect(error, call).toBeInstanceOf(ScichainError);
      expect((error as Error).message, call).toBe(
        `cannot write parameter file ${path}: ${code}: simulated failure, ${call} (the previous contents, if any, are unchanged)`,
      );
      expect(readFileSync(path, 'utf8'), call).toBe(before);
      expect(readdirSync(dir), call).toEqual(['fit.json']);
    }
  });

  it('a value whose serialisation throws midway writes nothing and names the path and value', () => {
    const dir = folder();
    const path = join(dir, 'fit.json');
    const L = layout();
    saveParameters(path, L, L.initial({ seed: 1 }));
    const before = readFileSync(path, 'utf8');
    const bad = L.initial({ seed: 1 });
    bad[3] = NaN;
    expect(() => saveParameters(path, L, bad)).toThrow(
      `cannot write parameter file ${path}: cannot save parameter 'net'[2]: value is NaN (nothing was written)`,
    );
    // A checkpoint whose JSON serialisation throws half-way (a BigInt deep inside).
    const cpath = join(dir, 'run.ckpt.json');
    writeFileSync(cpath, 'old checkpoint');
    const c = { format: 'scichain.training', theta: [1, 2, 3n] } as unknown as TrainingCheckpoint;
    expect(() => saveCheckpoint(cpath, c)).toThrow(
      new RegExp(`^cannot write checkpoint file ${cpath}: .*BigInt`),
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readFileSync(cpath, 'utf8')).toBe('old checkpoint');
    expect(readdirSync(dir).sort()).toEqual(['fit.json', 'run.ckpt.json']);
  });

  it('reports and checkpoints go through the same writer', () => {
    const dir = folder();
    const path = join(dir, 'r.html');
    writeFileSync(path, 'old report');
    expect(() =>
      new Report('r').text('hello').write(path, { fs: failing('renameSync', 'EXDEV') }),
    ).toThrow(`cannot write report ${path}: EXDEV: simulated failure, renameSync`);
    expect(readFileSync(path, 'utf8')).toBe('old report');
    expect(readdirSync(dir)).toEqual(['r.html']);
    // Success: the new contents, folders created, no temporary file.
    const nested = join(dir, 'a', 'b', 'x.txt');
    expect(writeFileAtomic(nested, 'new')).toBe(nested);
    expect(readFileSync(nested, 'utf8')).toBe('new');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['x.txt']);
  });
});
