// Packs scichain as npm would publish it and installs the tarball into fresh consumer projects.
// The pack runs in a copy of the package's inputs (so the repo's own dist/ is never touched and
// test files packing at the same time do not collide), through `npm pack`, which runs `prepare`
// (the build) — the same path a git-URL install takes. Shared by the package tests
// (test/package) and the package bench.
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

export const repo = resolve(import.meta.dirname, '..');

/** Files and folders `npm pack` needs to build the package (the build's inputs and `files`). */
const PACK_INPUTS = [
  'package.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
  'docs',
  'src',
  'solvers',
  'models',
];

export interface Packed {
  /** Temporary folder holding the copy, the tarball and the consumer projects. */
  readonly root: string;
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** Paths inside the tarball (without the leading `package/`). */
  readonly files: string[];
  /** Seconds the pack (with its build) took. */
  readonly seconds: number;
  /** The tarball's size, its unpacked size and its entry count, as npm reports them. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
}

function run(command: string, args: string[], cwd: string, timeout: number): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      timeout,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false', NODE_OPTIONS: '' },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
      { cause: e },
    );
  }
}

/** Builds and packs the package into a new temporary folder (about 20 s: the build is tsc). */
export function packScichain(label: string): Packed {
  const root = mkdtempSync(join(tmpdir(), `scichain-${label}-`));
  const source = join(root, 'source');
  mkdirSync(source);
  for (const entry of PACK_INPUTS)
    cpSync(join(repo, entry), join(source, entry), { recursive: true });
  // The build's tools (tsc) come from the repo's devDependencies.
  symlinkSync(join(repo, 'node_modules'), join(source, 'node_modules'), 'dir');
  const t0 = performance.now();
  const json = run('npm', ['pack', '--json', '--pack-destination', root], source, 240_000);
  const seconds = (performance.now() - t0) / 1000;
  const info = JSON.parse(json.slice(json.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
    size: number;
    unpackedSize: number;
    entryCount: number;
  }[];
  return {
    root,
    tarball: join(root, info[0].filename),
    files: info[0].files.map((f) => f.path).sort(),
    seconds,
    size: info[0].size,
    unpackedSize: info[0].unpackedSize,
    entryCount: info[0].entryCount,
  };
}

/** What goes into a consumer project besides the installed tarball. */
export interface ProjectSpec {
  files: Record<string, string>;
  packageJson?: Record<string, unknown>;
}

/**
 * Fresh projects `packed.root/<name>`, each with its own package.json and files, sharing one
 * `npm install` of the tarball (dependencies from the npm cache where they are there): the install
 * is made once in `packed.root/installed` and each project's node_modules links to it (one
 * install of mathjs and Plotly instead of five keeps the test within its time).
 * Resolves to each project's folder.
 */
export async function consumerProjects(
  packed: Packed,
  specs: Record<string, ProjectSpec>,
): Promise<Record<string, string>> {
  const installed = join(packed.root, 'installed');
  mkdirSync(installed);
  writeFileSync(
    join(installed, 'package.json'),
    JSON.stringify({ name: 'installed', version: '1.0.0', private: true }),
  );
  const args = [
    'install',
    packed.tarball,
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--ignore-scripts',
  ];
  await new Promise<void>((done, fail) => {
    execFile(
      'npm',
      args,
      { cwd: installed, timeout: 180_000, env: { ...process.env, NODE_OPTIONS: '' } },
      (e, stdout, stderr) =>
        e
          ? fail(
              new Error(
                `npm ${args.join(' ')} failed in ${installed}: ${e.message}\n${stdout}\n${stderr}`,
                {
                  cause: e,
                },
              ),
            )
          : done(),
    );
  });
  const dirs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const dir = join(packed.root, name);
    mkdirSync(dir);
    const manifest = {
      name,
      version: '1.0.0',
      private: true,
      ...(spec.packageJson ?? { type: 'module' }),
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    symlinkSync(join(installed, 'node_modules'), join(dir, 'node_modules'), 'dir');
    for (const [file, text] of Object.entries(spec.files)) writeFileSync(join(dir, file), text);
    dirs[name] = dir;
  }
  return dirs;
}

/** Runs `node <args>` in `cwd` (no tsx, no loader) and returns stdout; bounded by `timeout`. */
export function node(args: string[], cwd: string, timeout = 60_000): string {
  return run(process.execPath, args, cwd, timeout);
}

/** Runs a command from the repo's node_modules/.bin (tsc, esbuild) in `cwd`. */
export function repoBin(name: string, args: string[], cwd: string, timeout = 120_000): string {
  return run(join(repo, 'node_modules/.bin', name), args, cwd, timeout);
}

/** The installed package's folder names under node_modules (the consumer's whole install). */
export function installedPackages(dir: string): string[] {
  const modules = join(dir, 'node_modules');
  return readdirSync(modules).flatMap((name) =>
    name.startsWith('@')
      ? readdirSync(join(modules, name)).map((sub) => `${name}/${sub}`)
      : name.startsWith('.')
        ? []
        : [name],
  );
}

export function removeTree(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * Bundles page `page` of project `dir` for the browser (esbuild, minified ESM): its bytes, gzip
 * bytes and the npm packages in it (from esbuild's metafile).
 */
export async function browserBundle(
  dir: string,
  page: string,
): Promise<{ bytes: number; gzip: number; packages: string[] }> {
  const result = await build({
    entryPoints: [join(dir, page)],
    absWorkingDir: dir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0].contents;
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
  return { bytes: output.length, gzip: gzipSync(output).length, packages: [...packages].sort() };
}
