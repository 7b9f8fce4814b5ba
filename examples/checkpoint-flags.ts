/**
 * The checkpoint flags shared by the long examples:
 *
 *   --checkpoint FILE        where to write checkpoints (default: next to the report)
 *   --checkpoint-every S     write one every S seconds of training (default 60)
 *   --resume FILE            continue from a checkpoint, bit-exactly
 *
 * A run stopped by Ctrl-C (SIGINT) or SIGTERM finishes its current epoch, writes the
 * checkpoint, prints how to resume and exits with 130 or 143.
 */
import { signalExitCode } from '../src/training/train-supervised.ts';

/** `--name value` as a string (or undefined when absent). */
export function stringArgument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

/**
 * After an interrupted run: says where the checkpoint is and the command that resumes it (this
 * command line with `--resume`), then exits with 130 (SIGINT) or 143 (SIGTERM).
 */
export function exitInterrupted(
  run: { signal?: 'SIGINT' | 'SIGTERM'; checkpointPath?: string; epochs?: number },
  script: string,
): never {
  const signal = run.signal ?? 'SIGINT';
  const path = run.checkpointPath ?? '(no checkpoint file)';
  const args: string[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i] === '--resume') i++;
    else args.push(process.argv[i]);
  }
  console.error(
    `\ninterrupted by ${signal}${run.epochs === undefined ? '' : ` after epoch ${run.epochs}`}; checkpoint written to ${path}\n` +
      `resume with: npx tsx ${script} ${[...args, '--resume', path].join(' ')}`,
  );
  process.exit(signalExitCode(signal));
}
