import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from './database.js';

/** Where a ChatAPI answers: a TestServer, or one instance of a cluster of processes. */
export interface ServerAddress {
  url: string;
  masterKey: string;
  /** Registers a clean-up (a client to close) that runs before the server stops, last first. */
  defer?(cleanup: () => unknown): void;
}

export interface TestServer extends ServerAddress {
  url: string;
  masterKey: string;
  dataDir: string;
  app: App;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  defer(cleanup: () => unknown): void;
  /** Runs the deferred clean-ups, then stops the app and drops its database. */
  stop(): Promise<void>;
}

/**
 * A real ChatAPI on 127.0.0.1 port 0 with a database of its own (a SQLite file in a fresh temp
 * folder, or a fresh PostgreSQL database in the postgresql test project), so test files run in
 * parallel without sharing anything.
 */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatapi-test-'));
  const masterKey = randomBytes(32).toString('hex');
  const database = await createTestDatabase();
  const config = loadConfig({
    ...database.env,
    LISTEN_ADDR: '127.0.0.1:0',
    DATA_DIR: dataDir,
    MASTER_API_KEY: masterKey,
    LOG_LEVEL: 'info',
    // Tests hammer one tenant on purpose; the rate-limit tests set their own limit.
    DEFAULT_RATE_LIMIT: '1000000',
    ...env,
  });
  const logs: Array<Record<string, unknown>> = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
  });
  const app = buildApp(config, { logger: createLogger(config.logLevel, stream) });
  const { url } = await app.start();
  const cleanups: Array<() => unknown> = [];
  return {
    url,
    masterKey,
    dataDir,
    app,
    logs,
    defer: (cleanup) => void cleanups.push(cleanup),
    async stop() {
      for (const cleanup of cleanups.splice(0).reverse())
        await Promise.resolve()
          .then(cleanup)
          .catch(() => {});
      await app.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
