// Two silent behaviours found in review of issue 17: a replaced file lost its permissions (a
// private 0600 checkpoint became 0644), and a NaN validation loss entered the history as "no
// improvement" without a word.
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  meanSquaredError,
  parameters,
  supervisedObjective,
  trainSupervised,
} from '../../src/index.ts';
import { writeFileAtomic } from '../../src/io/write-file-atomic.ts';

describe('review of issue 17', () => {
  it('an atomic write keeps the permissions of the file it replaces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scichain-mode-'));
    const path = join(dir, 'private.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o600);
    writeFileAtomic(path, '{"a":1}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const fresh = join(dir, 'new.json');
    writeFileAtomic(fresh, '{}');
    expect(statSync(fresh).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('a non-finite validation loss is an error naming the epoch', () => {
    const net = chain(1, dense(4, 'tanh'), dense(1));
    const layout = parameters({ net });
    const theta = layout.initial({ seed: 1 });
    const x = Float64Array.from({ length: 16 }, (_, i) => i / 16);
    const y = x.map((v) => v * v);
    const objective = supervisedObjective({ model: net, loss: meanSquaredError, x, y });
    // Targets are checked for NaN; 1e200 is finite, its squared error is not.
    const bad = supervisedObjective({
      model: net,
      loss: meanSquaredError,
      x,
      y: y.map(() => 1e200),
    });
    expect(() =>
      trainSupervised(objective, theta, {
        epochs: 5,
        batchSize: 4,
        optimizer: adam({ learningRate: 1e-2 }),
        validation: bad,
        progress: false,
      }),
    ).toThrow(/validation loss is Infinity after epoch 1 \(training loss [\d.e-]+\)/);
  });
});
