import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/build-setup.ts', 'test/tmp-setup.ts', 'test/k8s-api/global-setup.ts'],
    env: { NO_COLOR: '1' },
  },
});
