import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from './database.js';

export interface TestServer {
  url: string;
  masterKey: string;
  dataDir: string;
  app: App;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
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
  return {
    url,
    masterKey,
    dataDir,
    app,
    logs,
    async stop() {
      await app.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
