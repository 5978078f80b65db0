import { defineConfig } from 'vitest/config';

// Unit tests run in parallel; integration tests start real ZooKeeper JVMs on a 2-core machine,
// so they run one file at a time to keep timing-sensitive assertions from being starved.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
