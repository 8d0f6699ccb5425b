import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';

/**
 * Moves SQLite's WAL checkpoints off the event loop. Left to SQLite, the commit that crosses the
 * auto-checkpoint threshold copies the log into the database file and fsyncs it, inside a request.
 * A worker thread with its own connection runs PASSIVE checkpoints (which never block the writer)
 * every interval instead; the writer keeps a high auto-checkpoint threshold as a safety net.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 0 });
let failing = null;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    if (failing !== null) parentPort.postMessage(null);
    failing = null;
  } catch (err) {
    const message = String(err && err.message);
    if (message !== failing) parentPort.postMessage(message);
    failing = message;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, logger: Logger, intervalMs = 1_000): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  // One line when checkpoints start failing (a full disk fails one every interval) and one when they work again.
  worker.on('message', (message: string | null) =>
    message === null
      ? logger.info('WAL checkpoints work again')
      : logger.warn({ error: message }, 'WAL checkpoint failed'),
  );
  worker.on('error', (err) => logger.error({ err }, 'WAL checkpointer stopped'));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 1_000).unref())]);
    },
  };
}
