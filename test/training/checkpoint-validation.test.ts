// Checkpoint and parameter files are checked field by field (issue 17, defect 16): each bad
// field is a ScichainError naming the file and the field's JSON path, and nothing is loaded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  gradientDescent,
  meanSquaredError,
  parameters,
  Rng,
  scalar,
  ScichainError,
  supervisedObjective,
  trainSupervised,
} from '../../src/index.ts';
import { loadCheckpoint } from '../../src/training/checkpoint.ts';
import { loadParameters, saveParameters } from '../../src/parameters/parameter-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'scichain-validate-'));

function setup(dtype: 'float64' | 'float32' = 'float64') {
  const rng = new Rng(2);
  const x = rng.fillNormal(new Float64Array(3 * 20));
  const y = rng.fillNormal(new Float64Array(20));
  const net = chain(3, dense(4, 'tanh'), dense(1));
  const layout = parameters({ net });
  const obj = supervisedObjective({
    model: net,
    loss: meanSquaredError,
    x: dtype === 'float32' ? Float32Array.from(x) : x,
    y: dtype === 'float32' ? Float32Array.from(y) : y,
  });
  return { layout, obj };
}

/** A real checkpoint after 3 epochs (with early stopping), as a plain JSON object. */
function checkpoint(dtype: 'float64' | 'float32' = 'float64'): Record<string, unknown> {
  const { layout, obj } = setup(dtype);
  let saved = '';
  trainSupervised(obj, layout.initial({ seed: 1, dtype }), {
    epochs: 3,
    optimizer: adam({ learningRate: 0.01 }),
    earlyStopping: { patience: 50 },
    onEpoch: (info) => void (saved = JSON.stringify(info.checkpoint())),
  });
  return JSON.parse(saved) as Record<string, unknown>;
}

/** Writes `doc`, loads it and resumes; returns the error message. */
function resumeError(doc: unknown, name: string, dtype: 'float64' | 'float32' = 'float64'): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(doc));
  const { layout, obj } = setup(dtype);
  const theta = layout.initial({ seed: 5, dtype });
  const before = Array.from(theta);
  try {
    trainSupervised(obj, theta, {
      epochs: 2,
      earlyStopping: { patience: 50 },
      resume: loadCheckpoint(path),
    });
  } catch (e) {
    expect(e).toBeInstanceOf(ScichainError);
    expect(Array.from(theta), 'θ untouched by a refused checkpoint').toEqual(before);
    return (e as Error).message.replace(path, 'FILE');
  }
  throw new Error(`${name}: resumed without error`);
}

const set = (
  doc: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> => {
  const keys = path.split('.');
  let o = doc as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys.at(-1)!] = value;
  return doc;
};

describe('checkpoint validation', () => {
  it('names the file and the field of each bad value', () => {
    const cases: [string, unknown, string, ('float32' | 'float64')?][] = [
      [
        'optimizer.learningRate',
        null,
        'optimizer.learningRate must be a finite number > 0, got null',
      ],
      ['optimizer.learningRate', -1, 'optimizer.learningRate must be a finite number > 0, got -1'],
      ['optimizer.step', -5, 'optimizer.step must be an integer ≥ 0, got -5'],
      ['epoch', '7', 'epoch must be an integer ≥ 0, got "7"'],
      ['dtype', 'float16', 'dtype must be "float64" or "float32", got "float16"'],
      ['version', 2, 'version is 2; this scichain reads checkpoint version 1'],
      ['seed', 1.5, 'seed must be an integer'],
      ['rng.spareNormal', 'x', 'rng.spareNormal must be a finite number, got "x"'],
      ['earlyStopping.sinceBest', -1, 'earlyStopping.sinceBest must be an integer ≥ 0, got -1'],
      ['earlyStopping.bestStep', 2.5, 'earlyStopping.bestStep must be an integer ≥ -1, got 2.5'],
      [
        'optimizer.optimizer',
        'gradientDescent',
        `optimizer.optimizer is "gradientDescent": cannot load a 'gradientDescent' state into adam`,
      ],
      ['history.stride', 3, 'history.stride must be a power of two, got 3'],
      [
        'history.records',
        [{ epoch: 99, loss: 1 }],
        "history.records[0].epoch is 99, after the checkpoint's epoch 3",
      ],
      [
        'optimizer.buffers',
        { m: [] },
        'optimizer.buffers.v must be an array, got nothing (the field is missing)',
      ],
    ];
    for (const [field, value, message] of cases) {
      const text = resumeError(set(checkpoint(), field, value), field.replace(/\W/g, '_'));
      expect(text, field).toContain(`checkpoint file FILE: ${message}`);
    }
  });

  it('refuses a float32 value beyond float32 range, NaN-like values and wrong lengths', () => {
    const c32 = checkpoint('float32');
    (c32.theta as unknown[])[3] = 1e39;
    expect(resumeError(c32, 'big32', 'float32')).toBe(
      'checkpoint file FILE: theta[3] is 1e+39, outside the float32 range (±3.4028235e38)',
    );
    const c = checkpoint();
    (c.theta as unknown[])[0] = null; // what JSON makes of NaN
    expect(resumeError(c, 'nan')).toBe(
      'checkpoint file FILE: theta[0] must be a finite number (or "-0"), got null',
    );
    const d = checkpoint();
    (d.optimizer as { buffers: { m: unknown[] } }).buffers.m.pop();
    expect(resumeError(d, 'short')).toMatch(/optimizer\.buffers\.m has 20 entries but θ has 21/);
    const r = checkpoint();
    (r.rng as { words: unknown[] }).words[0] = 700;
    expect(resumeError(r, 'rng')).toBe(
      'checkpoint file FILE: rng.words[0] must be an integer in [0, 623], got 700',
    );
  });

  it('reads checkpoints written before the version field and refuses damaged JSON', () => {
    const legacy = checkpoint();
    delete legacy.version;
    delete legacy.history;
    const path = join(dir, 'legacy.json');
    writeFileSync(path, JSON.stringify(legacy));
    const { layout, obj } = setup();
    const r = trainSupervised(obj, layout.zeros(), {
      epochs: 2,
      earlyStopping: { patience: 50 },
      resume: loadCheckpoint(path),
    });
    expect(r.epochs).toBe(5);
    expect(r.history.map((h) => h.epoch)).toEqual([4, 5]);
    const torn = join(dir, 'torn.json');
    writeFileSync(torn, JSON.stringify(checkpoint()).slice(0, 200));
    expect(() => loadCheckpoint(torn)).toThrow(
      `checkpoint file ${torn} is not valid JSON (a truncated or damaged file?)`,
    );
  });

  it('optimizer states handed to loadState are checked too', () => {
    expect(() =>
      gradientDescent().loadState({
        optimizer: 'gradientDescent',
        step: 1,
        learningRate: 0.1,
        buffers: { velocity: [1, NaN] },
      }),
    ).toThrow('optimizer state: buffers.velocity[1] must be a finite number, got NaN');
    expect(() =>
      adam().loadState({
        optimizer: 'adam',
        step: -5,
        learningRate: 0.1,
        buffers: { m: [], v: [] },
      }),
    ).toThrow('optimizer state: step must be an integer ≥ 0, got -5');
  });
});

describe('parameter file validation', () => {
  const layout = () =>
    parameters({
      k: scalar(2, { transform: 'positive' }),
      w: scalar(0.5),
      net: chain(2, dense(2)),
    });
  function loadError(
    mutate: (doc: Record<string, unknown>) => void,
    name: string,
    dtype?: 'float32',
  ): string {
    const L = layout();
    const path = join(dir, `${name}.parameters.json`);
    saveParameters(path, L, L.initial({ seed: 1, ...(dtype ? { dtype } : {}) }));
    const doc = JSON.parse(
      JSON.stringify(L.toJson(L.initial({ seed: 1, ...(dtype ? { dtype } : {}) }))),
    ) as Record<string, unknown>;
    mutate(doc);
    writeFileSync(path, JSON.stringify(doc));
    try {
      loadParameters(path, layout());
    } catch (e) {
      expect(e).toBeInstanceOf(ScichainError);
      return (e as Error).message.replace(path, 'FILE');
    }
    throw new Error(`${name}: loaded without error`);
  }
  const block = (doc: Record<string, unknown>, i: number) =>
    (doc.blocks as Record<string, unknown>[])[i];

  it('names the file and the field of each bad value', () => {
    expect(loadError((d) => (block(d, 1).frozen = 'no'), 'frozen')).toBe(
      'parameter file FILE: blocks[1].frozen must be true or false, got "no"',
    );
    expect(loadError((d) => (d.dtype = 'float16'), 'dtype')).toBe(
      'parameter file FILE: dtype must be "float64" or "float32", got "float16"',
    );
    expect(loadError((d) => ((block(d, 2).values as unknown[])[1] = 1e39), 'big', 'float32')).toBe(
      'parameter file FILE: blocks[2].values[1] is 1e+39, outside the float32 range (±3.4028235e38)',
    );
    expect(loadError((d) => ((block(d, 0).values as unknown[])[0] = 'NaN'), 'nan')).toBe(
      'parameter file FILE: blocks[0].values[0] must be a finite number (or "-0"), got "NaN"',
    );
    expect(loadError((d) => (d.version = 7), 'version')).toBe(
      'parameter file FILE: version is 7; this scichain reads version 1 of "scichain.parameters"',
    );
    expect(
      loadError((d) => (block(d, 0).transform = { type: 'bounded', lower: 0 }), 'transform'),
    ).toBe(
      'parameter file FILE: blocks[0].transform.upper must be a finite number, got nothing (the field is missing)',
    );
    expect(loadError((d) => (d.length = -3), 'length')).toBe(
      'parameter file FILE: length must be an integer ≥ 0, got -3',
    );
  });
});
