import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests spawn real MCP servers and daemons; two cores do not like many at once.
    maxWorkers: 2,
    pool: 'forks',
    // Fails the run when a daemon or server a test started is still alive after the tests.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
