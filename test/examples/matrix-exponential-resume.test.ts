// Interrupting the matrix-exponential example (issue 17, defect 17): SIGINT in the middle of
// training makes it finish the epoch, write its checkpoint atomically and exit with 130,
// printing the command that resumes it; `--resume` then ends with the same θ bits as an
// uninterrupted run. Before, SIGINT killed the process and every epoch was lost.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parameters } from '../../src/index.ts';
import { loadParameters } from '../../src/parameters/parameter-file.ts';
import {
  matrixExponentialNetwork,
  trainMatrixExponential,
} from '../../examples/matrix-exponential.ts';

const EPOCHS = 5_000;
const SIZE = ['--train', '32', '--test', '32', '--epochs', String(EPOCHS)];

/** Runs the example; `interrupt` is called once its first checkpoint file exists. */
function runExample(
  args: string[],
  checkpoint: string,
  interrupt?: (kill: (signal: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'examples/matrix-exponential.ts', ...args],
      { env: { ...process.env, CI: '1' } },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (interrupt) {
      timer = setInterval(() => {
        if (existsSync(checkpoint)) {
          clearInterval(timer);
          interrupt((signal) => child.kill(signal));
        }
      }, 5);
    }
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('matrix-exponential example: interrupt and resume', () => {
  it('SIGINT writes a checkpoint and exits 130; --resume ends with the uninterrupted θ bits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scichain-mexp-'));
    const checkpoint = join(dir, 'run.ckpt.json');
    const args = [...SIZE, '--out', dir, '--checkpoint', checkpoint, '--checkpoint-every', '0.02'];
    const first = await runExample(args, checkpoint, (kill) => kill('SIGINT'));
    expect(first.code, first.stderr).toBe(130);
    const m =
      /interrupted by SIGINT after epoch (\d+); checkpoint written to (.+)\nresume with: node --import tsx examples\/matrix-exponential.ts (.+)/.exec(
        first.stderr,
      );
    expect(m, first.stderr).not.toBeNull();
    const stoppedAt = Number(m![1]);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(EPOCHS);
    expect(m![2]).toBe(checkpoint);
    expect(m![3]).toBe([...args, '--resume', checkpoint].join(' '));

    const second = await runExample([...args, '--resume', checkpoint], checkpoint);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`epochs ${EPOCHS}:`);
    const net = () => parameters({ net: matrixExponentialNetwork() });
    const resumed = loadParameters(join(dir, 'matrix-exponential.parameters.json'), net());

    const straight = trainMatrixExponential({
      epochs: EPOCHS,
      trainSize: 32,
      testSize: 32,
      progress: false,
    });
    expect(resumed).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(resumed.buffer)).toEqual(new Uint8Array(straight.theta.buffer));
  });
});
