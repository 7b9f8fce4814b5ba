// ESLint flat config: the recommended JavaScript and typescript-eslint rules over every folder,
// and the library's layers (docs/design.md): an import only ever points down, and no module
// imports itself round a cycle.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The library's folders, lowest layer first. A module may import its own folder, a folder of its
 * own layer (no cycle allowed) or any lower layer; never a higher one. Entry points (the index
 * files, scichain/node and the worker entry) gather from every layer and are exempt.
 */
const LAYERS = [
  ['src/core'],
  ['src/math', 'src/linalg', 'src/wasm', 'src/io', 'src/parallel', 'src/parameters'],
  [
    'src/model',
    'src/nn',
    'src/surrogates',
    'src/expressions',
    'src/losses',
    'src/datasets',
    'solvers/engine',
  ],
  ['solvers/sensitivity', 'src/optim', 'src/training'],
  ['src/pharmacometrics', 'src/discovery', 'src/report'],
  ['models'],
];

const ENTRY_POINTS = [
  'src/index.ts',
  'src/node.ts',
  'src/*/index.ts',
  'solvers/index.ts',
  'models/index.ts',
  'src/parallel/worker-entry.ts',
];

/** The files of a folder as globs; the ODE engine is every solver folder but sensitivity. */
function globs(folder) {
  if (folder === 'solvers/engine') {
    return [
      'solvers/*.ts',
      'solvers/explicit/**',
      'solvers/stiff/**',
      'solvers/problem-library/**',
    ];
  }
  return [`${folder}/**`];
}

const zones = LAYERS.flatMap((folders, layer) => {
  const higher = LAYERS.slice(layer + 1).flat();
  if (higher.length === 0) return [];
  return folders.map((folder) => ({
    target: globs(folder).map((g) => `./${g}`),
    from: higher.flatMap(globs).map((g) => `./${g}`),
    message: `${folder} is in layer ${layer}: it may import only its own or lower layers (docs/design.md)`,
  }));
});
// The ODE engine needs nothing above the contracts and linear algebra.
zones.push({
  target: globs('solvers/engine').map((g) => `./${g}`),
  from: LAYERS.flat()
    .filter((f) => f.startsWith('src/') && f !== 'src/core' && f !== 'src/linalg')
    .map((f) => `./${f}/**`),
  message: 'the ODE engine imports only src/core and src/linalg (docs/design.md)',
});
// Library modules import modules, never an entry point (which would load every layer).
for (const glob of [true, false]) {
  zones.push({
    target: ['./src/**', './solvers/**', './models/**'],
    from: ENTRY_POINTS.filter((p) => p.includes('*') === glob).map((p) => `./${p}`),
    message: 'import the module itself, not an entry point (docs/design.md)',
  });
}

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'dist/', 'coverage/', 'docs/api/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        performance: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Kernels are generated with new Function on purpose (specialised code, see DESIGN.md).
      '@typescript-eslint/no-implied-eval': 'off',
      'no-new-func': 'off',
      // One casing rule for acronyms: written as words (OdeProblem, toHtml, readJsonFile,
      // NonmemRecord), never three capitals in a row — except SCREAMING_CASE constants and
      // Roman numerals (indirectResponseIII).
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: ['variable', 'function', 'typeLike', 'method', 'accessor', 'parameter'],
          format: null,
          filter: { regex: '^([A-Z][A-Z0-9_]*|.*(I{1,3}|IV)(Part)?)$', match: false },
          custom: { regex: '[A-Z]{3}', match: false },
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'solvers/**/*.ts', 'models/**/*.ts'],
    ignores: ENTRY_POINTS,
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones, basePath: import.meta.dirname }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
