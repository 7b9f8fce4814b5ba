// The examples' command lines (issue 18): `--help` printed nothing and started the full run;
// unknown flags were ignored; `--epochs 0` printed "NaN ms/epoch". Now every example parses its
// flags with node:util's parseArgs (examples/cli.ts): --help prints the usage and exits 0, an
// unknown flag or a nonsense value exits 2 with one line naming it, before any work; a
// ScichainError of the run is one line, exit 1.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseFlags, usage, type CommandLine } from '../../examples/cli.ts';
import { MATRIX_EXPONENTIAL_CLI } from '../../examples/matrix-exponential.ts';
import { THEOPHYLLINE_CLI } from '../../examples/theophylline.ts';

/** Runs an example with tsx; bounded (a started training would run for seconds to minutes). */
function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `examples/${script}`, ...args], {
      env: { ...process.env, CI: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} still running after 90 s: it started the run`));
    }, 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples on the command line (spawned)', { timeout: 120_000 }, () => {
  it('--help prints the usage and exits 0 without running', async () => {
    const r = await run('matrix-exponential.ts', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(usage(MATRIX_EXPONENTIAL_CLI));
    expect(r.stdout).toMatch(
      /^usage: node --import tsx examples\/matrix-exponential.ts \[options\]/,
    );
    expect(r.stdout).toContain(
      '--epochs N            training epochs (an integer ≥ 1; default 10000)',
    );
    expect(r.stdout).not.toMatch(/epochs \d+: train MSE|report:/);
    expect(r.stderr).toBe('');
  });

  it('an unknown flag exits 2 naming it, suggesting the close one', async () => {
    const r = await run('lotka-volterra-ude.ts', ['--iteration', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "examples/lotka-volterra-ude.ts: unknown option '--iteration'; did you mean '--iterations'? " +
        'valid: --seed, --iterations, --adam-steps, --window-iterations, --out, --checkpoint, ' +
        '--checkpoint-every, --resume, --help\n(run with --help for the options)\n',
    );
    expect(r.stdout).toBe('');
  });

  it('nonsense values exit 2 naming the flag and the value', async () => {
    const cases: [string, string[], string][] = [
      ['matrix-exponential.ts', ['--epochs', '0'], "--epochs must be an integer ≥ 1, got '0'"],
      [
        'neural-absorption.ts',
        ['--threads', '0'],
        "--threads must be a thread count ≥ 1 or auto, got '0'",
      ],
      [
        'theophylline.ts',
        ['--method', 'foce'],
        "unknown --method 'foce'; did you mean 'FOCE'? valid: FO, FOCE, FOCEI, Laplace",
      ],
      ['joint-surrogates.ts', ['--seed', 'abc'], "--seed must be an integer ≥ 0, got 'abc'"],
    ];
    const results = await Promise.all(cases.map(([script, args]) => run(script, args)));
    results.forEach((r, k) => {
      const [script, , message] = cases[k];
      expect(r.code, script).toBe(2);
      expect(r.stderr, script).toBe(
        `examples/${script}: ${message}\n(run with --help for the options)\n`,
      );
    });
  });

  it('a ScichainError of the run is one line without a stack trace, exit 1', async () => {
    const r = await run('theophylline.ts', ['--resume', '/nonexistent/theophylline.ckpt.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: cannot read checkpoint file /nonexistent/theophylline.ckpt.json: ENOENT: no such file or directory, open '/nonexistent/theophylline.ckpt.json'\n",
    );
  });
});

describe('parseFlags (in process)', () => {
  const parse = (args: string[]) => parseFlags(MATRIX_EXPONENTIAL_CLI, args);
  const problem = (cli: CommandLine, args: string[]): string => {
    try {
      parseFlags(cli, args);
    } catch (error) {
      expect((error as Error).name).toBe('UsageError');
      return (error as Error).message;
    }
    throw new Error(`${args.join(' ')} was accepted`);
  };

  it('defaults, values and help', () => {
    expect(parse([])).toEqual({
      epochs: 10_000,
      train: 10_000,
      test: 10_000,
      seed: 1,
      out: 'reports',
      checkpoint: undefined,
      'checkpoint-every': 60,
      resume: undefined,
    });
    expect(parse(['--epochs', '5', '--out=/tmp/x', '--checkpoint-every', '0.5'])).toMatchObject({
      epochs: 5,
      out: '/tmp/x',
      'checkpoint-every': 0.5,
    });
    expect(parse(['--epochs', '5', '-h'])).toBe('help');
    expect(parseFlags(THEOPHYLLINE_CLI, ['--method', 'Laplace'])).toMatchObject({
      method: 'Laplace',
    });
  });

  it('names what is wrong', () => {
    const M = MATRIX_EXPONENTIAL_CLI;
    expect(problem(M, ['--epochs', '-3'])).toBe("--epochs must be an integer ≥ 1, got '-3'");
    expect(problem(M, ['--epochs', '2.5'])).toBe("--epochs must be an integer ≥ 1, got '2.5'");
    expect(problem(M, ['--epochs', ''])).toBe("--epochs must be an integer ≥ 1, got ''");
    expect(problem(M, ['--epochs', '1e400'])).toBe("--epochs must be an integer ≥ 1, got '1e400'");
    expect(problem(M, ['--checkpoint-every', 'NaN'])).toBe(
      "--checkpoint-every must be a number > 0, got 'NaN'",
    );
    expect(problem(M, ['--epochs'])).toBe('--epochs needs a value');
    expect(problem(M, ['--epochs', '--train', '5'])).toBe('--epochs needs a value');
    expect(problem(M, ['--help=yes'])).toBe('--help takes no value');
    expect(problem(M, ['100'])).toMatch(
      /^unexpected argument '100': every value follows its flag \(--name value\); valid: --epochs,/,
    );
    expect(problem(M, ['--bogus'])).toBe(
      "unknown option '--bogus'; valid: --epochs, --train, --test, --seed, --out, --checkpoint, --checkpoint-every, --resume, --help",
    );
    expect(problem(THEOPHYLLINE_CLI, ['--method', 'Bogus'])).toBe(
      "unknown --method 'Bogus'; valid: FO, FOCE, FOCEI, Laplace",
    );
  });
});
