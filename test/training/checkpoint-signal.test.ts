// Checkpoint files while training (issue 17, defect 17), in-process: periodic checkpoints,
// SIGINT/SIGTERM handled by trainSupervisedAsync at the end of the epoch (the signal is
// delivered with process.emit, as Node delivers a real one, so the test process survives), and
// a resume from the file that matches an uninterrupted run bit for bit, history included.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  meanSquaredError,
  parameters,
  Rng,
  supervisedObjective,
  trainSupervised,
  trainSupervisedAsync,
  type TrainSupervisedOptions,
} from '../../src/index.ts';
import { loadCheckpoint } from '../../src/training/checkpoint.ts';
import { signalExitCode } from '../../src/training/train-supervised.ts';

function setup() {
  const rng = new Rng(8);
  const net = chain(2, dense(6, 'tanh'), dense(1));
  const x = rng.fillNormal(new Float64Array(2 * 40));
  const y = x.filter((_, i) => i % 2 === 0).map((v, s) => Math.sin(v) * x[2 * s + 1]);
  const obj = supervisedObjective({ model: net, loss: meanSquaredError, x, y, batchSize: 8 });
  const theta = parameters({ net }).initial({ seed: 2 });
  const options = (epochs: number): TrainSupervisedOptions => ({
    epochs,
    batchSize: 8,
    seed: 4,
    optimizer: adam({ learningRate: 0.01 }),
    earlyStopping: { patience: 1000 },
    historyLimit: 16,
    progress: false,
  });
  return { obj, theta, options };
}

describe('checkpoints on a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: finishes the epoch, writes the checkpoint, resumes bit-exactly`, async () => {
      const straight = setup();
      const full = trainSupervised(straight.obj, straight.theta, straight.options(60));

      const dir = mkdtempSync(join(tmpdir(), 'scichain-signal-'));
      const path = join(dir, 'run.ckpt.json');
      const first = setup();
      const listeners = process.listenerCount(signal);
      const r = await trainSupervisedAsync(first.obj, first.theta, {
        ...first.options(60),
        checkpoint: { path },
        onEpoch: (info) => {
          if (info.epoch === 23) process.emit(signal, signal);
        },
      });
      expect(process.listenerCount(signal)).toBe(listeners); // handlers removed
      expect(r.reason).toBe('Interrupted');
      expect(r.signal).toBe(signal);
      expect(r.epochs).toBe(23);
      expect(r.checkpointPath).toBe(path);
      expect(signalExitCode(signal)).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(readdirSync(dir)).toEqual(['run.ckpt.json']);

      const second = setup();
      const rest = await trainSupervisedAsync(second.obj, second.theta, {
        ...second.options(60 - 23),
        resume: loadCheckpoint(path),
      });
      expect(rest.reason).toBe('Epochs');
      expect(rest.epochs).toBe(60);
      expect(Array.from(second.theta)).toEqual(Array.from(straight.theta));
      expect(rest.history).toEqual(full.history);
      expect(rest.bestEpoch).toBe(full.bestEpoch);
    });
  }

  it('writes periodic checkpoints every N epochs and a last one at the end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scichain-periodic-'));
    const path = join(dir, 'run.ckpt.json');
    const { obj, theta, options } = setup();
    const epochsInFile: number[] = [];
    const r = trainSupervised(obj, theta, {
      ...options(25),
      checkpoint: { path, everyEpochs: 10 },
      onEpoch: (info) => {
        if (existsSync(path)) epochsInFile.push(loadCheckpoint(path).epoch);
        if (info.epoch === 1) expect(existsSync(path)).toBe(false);
      },
    });
    // The file seen after epoch e holds the last multiple of 10 before e.
    expect(epochsInFile[0]).toBe(10);
    expect(new Set(epochsInFile)).toEqual(new Set([10, 20]));
    expect(r.checkpointPath).toBe(path);
    expect(loadCheckpoint(path).epoch).toBe(25);
  });
});
