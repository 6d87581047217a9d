import { defineConfig } from 'vitest/config';

// Unit tests sit beside their code and need nothing running. Integration
// tests (test/) share one real Kafka broker, started once per run by the
// global setup, and open an embedded ClickHouse of their own per file; the
// forks pool runs each file in its own process, which chDB requires.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{lib,schemas,producers,consumers,compaction-worker,' +
              'clickhouse,api,infra,cli}/**/*.test.ts',
          ],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
