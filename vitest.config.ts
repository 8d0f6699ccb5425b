import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds without an exports map: Node loads the CJS
    // one for Yoga and Pothos, so the tests must too, or `instanceof GraphQLError` sees two classes.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each run uses a Redis prefix of its own and deletes its keys at the end.
    globalSetup: ['test/setup/redis-cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every test file starts its own servers on port 0 with its own database.
    fileParallelism: true,
    pool: 'forks',
    // The whole suite runs twice: on the embedded SQLite default and on the machine's PostgreSQL.
    projects: [
      // Several instances need a shared database: the scale-out tests run on PostgreSQL only.
      {
        extends: true,
        test: {
          name: 'sqlite',
          env: { CHATAPI_TEST_DB: 'sqlite' },
          exclude: ['test/scale-out.test.ts', 'test/revocation-resync.test.ts'],
        },
      },
      // The disk-full test fills a tmpfs under a SQLite database: it runs on SQLite only.
      {
        extends: true,
        test: { name: 'postgresql', env: { CHATAPI_TEST_DB: 'postgresql' }, exclude: ['test/disk-full.test.ts'] },
      },
    ],
  },
});
