/**
 * Writing a file so that a reader sees either the old contents or the new ones, never a torn
 * mixture: the text goes to a temporary file in the same folder, is flushed to the disk
 * (fsync), and is renamed over the target (an atomic replace on POSIX and on NTFS); the
 * folder is then flushed too where the platform allows, so the rename survives a power cut.
 * Any failure removes the temporary file and leaves the old file as it was.
 */
import { ScichainError } from '../core/errors.ts';
import { nodeBuiltin, nodeProcess, type NodeFs } from './node-builtins.ts';

/**
 * The file-system calls the writer uses (injectable, so tests can make them fail); `statSync`
 * (the target's mode, kept by the new file) is optional: without it new files are 0644.
 */
export type AtomicWriteFs = Pick<
  NodeFs,
  'mkdirSync' | 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync'
> &
  Partial<Pick<NodeFs, 'statSync'>>;

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** What the file is, for error messages (default "file"). */
  what?: string;
  /** File-system calls (default `node:fs`, obtained when first needed). */
  fs?: AtomicWriteFs;
}

let counter = 0;

/**
 * Writes `contents` (or what `contents()` returns — called before anything touches the disk,
 * so a serialisation error leaves no trace) to `path` atomically, creating folders as needed.
 * Returns the absolute path. Errors are `ScichainError`s naming the path, with the file
 * system's error as `cause`. Needs Node (an `Unsupported` error elsewhere).
 */
export function writeFileAtomic(
  path: string,
  contents: string | (() => string),
  options: WriteFileAtomicOptions = {},
): string {
  const what = options.what ?? 'file';
  const { basename, dirname, join, resolve } = nodeBuiltin('node:path', `writing ${what} ${path}`);
  const fs = options.fs ?? nodeBuiltin('node:fs', `writing ${what} ${path}`);
  const full = resolve(path);
  let text: string;
  try {
    text = typeof contents === 'string' ? contents : contents();
  } catch (e) {
    throw new ScichainError(
      e instanceof ScichainError ? e.code : 'InvalidArgument',
      `cannot write ${what} ${full}: ${(e as Error).message} (nothing was written)`,
      { cause: e },
    );
  }
  const dir = dirname(full);
  // Same folder as the target: rename is only atomic within one file system.
  const temp = join(dir, `.${basename(full)}.${nodeProcess()?.pid ?? 0}.${++counter}.tmp`);
  let fd = -1;
  let created = false;
  try {
    fs.mkdirSync(dir, { recursive: true });
    // A replaced file keeps its permissions (a private 0600 checkpoint stays private).
    const mode = (fs.statSync?.(full, { throwIfNoEntry: false })?.mode ?? 0o644) & 0o777;
    fd = fs.openSync(temp, 'wx', mode);
    created = true;
    // writeSync may write less than asked; loop over the UTF-8 bytes until all are out.
    const bytes = new TextEncoder().encode(text);
    let done = 0;
    while (done < bytes.length) {
      const wrote = fs.writeSync(fd, bytes, done, bytes.length - done);
      if (!(wrote > 0)) throw new Error(`write returned ${wrote}`);
      done += wrote;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(temp, full);
    created = false;
  } catch (e) {
    if (fd >= 0) {
      try {
        fs.closeSync(fd);
      } catch {
        // The write already failed; that error is the one to report.
      }
    }
    if (created) {
      try {
        fs.unlinkSync(temp);
      } catch {
        // Nothing more can be done; the message below names the target.
      }
    }
    throw new ScichainError(
      'InvalidArgument',
      `cannot write ${what} ${full}: ${(e as Error).message} (the previous contents, if any, are unchanged)`,
      { cause: e },
    );
  }
  syncDirectory(fs, dir);
  return full;
}

/** Flushes a folder's entries (the rename) to the disk; not possible on Windows, so skipped. */
function syncDirectory(fs: AtomicWriteFs, dir: string): void {
  if (nodeProcess()?.platform === 'win32') return;
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the file itself is already safe.
  } finally {
    if (fd >= 0) {
      try {
        fs.closeSync(fd);
      } catch {
        // ignored: see above
      }
    }
  }
}
