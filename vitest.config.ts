import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Each real system (PostgreSQL, Prometheus, the fixture Kubernetes API) starts once per
// test run from its own file in test/setup/, so adding a system never edits this file.
const globalSetup = readdirSync(new URL('./test/setup/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => `test/setup/${f}`);

export default defineConfig({
  test: {
    globalSetup,
    include: ['test/**/*.test.ts', 'checks/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most test time is waiting on real servers and child processes, not CPU: three workers
    // halve the suite on two cores (6m16s → 3m21s measured) without starving the timing tests.
    maxWorkers: 3,
  },
});
