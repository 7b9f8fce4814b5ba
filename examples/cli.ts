/**
 * The command line of the examples, in one place: flags declared once (type, default, limits,
 * help text), parsed by `node:util`'s `parseArgs` in strict mode, each value checked.
 *
 * - `--help` (or `-h`) prints the usage and exits with 0 before anything runs;
 * - an unknown flag, a missing value, a stray argument or a nonsense value (`--epochs -3`,
 *   `--epochs 1.5`, `--threads 0`, `--seed abc`) prints one line naming it, and exits with 2;
 * - {@link runExample} prints a `ScichainError` thrown by the run as one line (no stack trace)
 *   and exits with 1;
 * - {@link exitInterrupted} ends a run stopped by Ctrl-C (SIGINT) or SIGTERM with the command that
 *   resumes it, and exit code 130 or 143.
 */
import { parseArgs } from 'node:util';
import { closestName, ScichainError } from '../src/core/errors.ts';
import { signalExitCode } from '../src/node.ts';

/** One flag: `--name VALUE`. */
export type Flag =
  | {
      /** An integer ≥ `min`. */
      readonly kind: 'integer';
      readonly min: number;
      readonly default?: number;
      readonly help: string;
      readonly value?: string;
    }
  | {
      /** A finite number > `above`. */
      readonly kind: 'number';
      readonly above: number;
      readonly default?: number;
      readonly help: string;
      readonly value?: string;
    }
  | {
      /** Any text (a path). */
      readonly kind: 'string';
      readonly default?: string;
      readonly help: string;
      readonly value?: string;
    }
  | {
      /** One of `choices`, exactly. */
      readonly kind: 'choice';
      readonly choices: readonly string[];
      readonly default?: string;
      readonly help: string;
      readonly value?: string;
    }
  | {
      /** A thread count ≥ 1, or 'auto'. */
      readonly kind: 'threads';
      readonly default?: number | 'auto';
      readonly help: string;
      readonly value?: string;
    };

/** What an example's command line declares. */
export interface CommandLine {
  /** The script, as the user runs it (`examples/matrix-exponential.ts`). */
  readonly script: string;
  /** What the example does, in a line or two. */
  readonly summary: string;
  readonly flags: Readonly<Record<string, Flag>>;
}

type FlagValue<F extends Flag> = F extends { kind: 'integer' | 'number' }
  ? number
  : F extends { kind: 'threads' }
    ? number | 'auto'
    : string;

/** The parsed values: a flag with a default is always set. */
export type FlagValues<Flags extends Readonly<Record<string, Flag>>> = {
  -readonly [K in keyof Flags]: Flags[K] extends { default: number | string }
    ? FlagValue<Flags[K]>
    : FlagValue<Flags[K]> | undefined;
};

/** A command line that cannot be used; the message names the flag and the value. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The checkpoint flags shared by the long examples; `defaultPath` describes where checkpoints go
 * without `--checkpoint` (it may depend on `--out`, so the example resolves it).
 */
export function checkpointFlags(defaultPath: string) {
  return {
    checkpoint: {
      kind: 'string',
      value: 'FILE',
      help: `where to write checkpoints (default ${defaultPath})`,
    },
    'checkpoint-every': {
      kind: 'number',
      above: 0,
      default: 60,
      value: 'S',
      help: 'write a checkpoint every S seconds',
    },
    resume: {
      kind: 'string',
      value: 'FILE',
      help: 'continue from a checkpoint, bit-exactly',
    },
  } as const satisfies Record<string, Flag>;
}

/** The usage text of a command line. */
export function usage(cli: CommandLine): string {
  const rows = Object.entries(cli.flags).map(([name, f]) => {
    const value = f.value ?? (f.kind === 'choice' ? f.choices.join('|') : 'VALUE');
    const notes: string[] = [];
    if (f.kind === 'integer') notes.push(`an integer ≥ ${f.min}`);
    if (f.kind === 'number') notes.push(`a number > ${f.above}`);
    if (f.kind === 'threads') notes.push('a count ≥ 1 or auto');
    if (f.kind === 'choice') notes.push(`one of ${f.choices.join(', ')}`);
    if (f.default !== undefined) notes.push(`default ${f.default}`);
    return [`  --${name} ${value}`, `${f.help}${notes.length ? ` (${notes.join('; ')})` : ''}`];
  });
  rows.push(['  -h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [
    `usage: node --import tsx ${cli.script} [options]`,
    '',
    cli.summary,
    '',
    'options:',
    ...rows.map(([left, right]) => left.padEnd(width) + right),
    '',
  ].join('\n');
}

/** `'--x'` for a flag name. */
const dashed = (name: string): string => `--${name}`;

/** Checks one value against its flag. */
function convert(name: string, flag: Flag, text: string): number | string {
  const got = `got '${text}'`;
  switch (flag.kind) {
    case 'integer': {
      const v = text.trim() === '' ? NaN : Number(text);
      if (!Number.isInteger(v) || v < flag.min)
        throw new UsageError(`--${name} must be an integer ≥ ${flag.min}, ${got}`);
      return v;
    }
    case 'number': {
      const v = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(v) || !(v > flag.above))
        throw new UsageError(`--${name} must be a number > ${flag.above}, ${got}`);
      return v;
    }
    case 'threads': {
      if (text === 'auto') return text;
      const v = text.trim() === '' ? NaN : Number(text);
      if (!Number.isInteger(v) || v < 1)
        throw new UsageError(`--${name} must be a thread count ≥ 1 or auto, ${got}`);
      return v;
    }
    case 'choice': {
      if (flag.choices.includes(text)) return text;
      const near = closestName(text, flag.choices);
      throw new UsageError(
        `unknown --${name} '${text}'; ${near === undefined ? '' : `did you mean '${near}'? `}valid: ${flag.choices.join(', ')}`,
      );
    }
    case 'string':
      if (text === '') throw new UsageError(`--${name} needs a value, got ''`);
      return text;
  }
}

/**
 * Parses `args` against a command line; throws a {@link UsageError} naming what is wrong.
 * Returns `'help'` when help was asked for.
 */
export function parseFlags<C extends CommandLine>(
  cli: C,
  args: readonly string[],
): FlagValues<C['flags']> | 'help' {
  const numeric = new Set(
    Object.entries(cli.flags)
      .filter(([, f]) => f.kind === 'integer' || f.kind === 'number' || f.kind === 'threads')
      .map(([n]) => dashed(n)),
  );
  // `--epochs -3`: parseArgs would take -3 for a flag; join it so the value check names it.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (numeric.has(args[i]) && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joined,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(cli.flags).map((n) => [n, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    throw new UsageError(usageProblem(cli, error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return 'help';
  const out: Record<string, number | string | undefined> = {};
  for (const [name, flag] of Object.entries(cli.flags)) {
    const text = values[name];
    out[name] = typeof text === 'string' ? convert(name, flag, text) : flag.default;
  }
  return out as FlagValues<C['flags']>;
}

/** One line for a `parseArgs` error: the flag or argument at fault, and the valid flags. */
function usageProblem(cli: CommandLine, error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const names = [...Object.keys(cli.flags), 'help'];
  const valid = `valid: ${names.map(dashed).join(', ')}`;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']*)'/.exec(message)?.[1] ?? '?';
    const near = closestName(flag.replace(/^-+/, ''), names);
    return `unknown option '${flag}'; ${near === undefined ? '' : `did you mean '--${near}'? `}${valid}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(message)?.[1] ?? '?';
    return `unexpected argument '${arg}': every value follows its flag (--name value); ${valid}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "Option '-h, --help' does not take an argument", "Option '--epochs <value>' argument missing"
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '?';
    const flag = quoted.replace(/^-\w, /, '').replace(/ <value>$/, '');
    if (/does not take an argument/.test(message)) return `${flag} takes no value`;
    return `${flag} needs a value`;
  }
  return message.split('\n')[0];
}

/**
 * The flags of `process.argv` for an example: prints the usage and exits with 0 on `--help`;
 * prints a usage problem as one line and exits with 2. Call it before any work.
 */
export function exampleArguments<C extends CommandLine>(
  cli: C,
  args: readonly string[] = process.argv.slice(2),
): FlagValues<C['flags']> {
  let values: FlagValues<C['flags']> | 'help';
  try {
    values = parseFlags(cli, args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${cli.script}: ${error.message}\n(run with --help for the options)\n`);
    process.exit(2);
  }
  if (values === 'help') {
    process.stdout.write(usage(cli));
    process.exit(0);
  }
  return values;
}

/**
 * Runs an example's main part: a `ScichainError` (bad data, a file that cannot be read, a fit
 * that failed) is printed as one line, `error: …`, and the process exits with 1; any other error
 * is a bug and keeps its stack trace.
 */
export async function runExample(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!(error instanceof ScichainError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
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
    else if (!process.argv[i].startsWith('--resume=')) args.push(process.argv[i]);
  }
  console.error(
    `\ninterrupted by ${signal}${run.epochs === undefined ? '' : ` after epoch ${run.epochs}`}; checkpoint written to ${path}\n` +
      `resume with: node --import tsx ${script} ${[...args, '--resume', path].join(' ')}`,
  );
  process.exit(signalExitCode(signal));
}
