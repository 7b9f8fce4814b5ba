import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `import 'scichain'` (examples/readme.ts) resolves to the sources, not to a built dist/
  // (package.json's exports have a "scichain-source" condition first).
  ssr: {
    resolve: { conditions: ['scichain-source', 'module', 'node', 'development|production'] },
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
  },
});
