import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './database.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  masterKey: string;
  dataDir: string;
  proc: ChildProcess;
  /** Log lines (parsed JSON) the process wrote so far. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code and signal once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The database it uses (shared with processes started with `reuse`). */
  database: TestDatabase;
}

/** ChatAPI as a real child process (`src/main.ts` through tsx), listening on a free port. */
export async function spawnServer(
  env: Record<string, string> = {},
  reuse?: { dataDir: string; masterKey: string; database: TestDatabase },
): Promise<ServerProcess> {
  const dataDir = reuse?.dataDir ?? mkdtempSync(path.join(tmpdir(), 'chatapi-proc-'));
  const masterKey = reuse?.masterKey ?? randomBytes(32).toString('hex');
  const database = reuse?.database ?? (await createTestDatabase());
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      LISTEN_ADDR: '127.0.0.1:0',
      DATA_DIR: dataDir,
      MASTER_API_KEY: masterKey,
      LOG_LEVEL: 'info',
      DEFAULT_RATE_LIMIT: '1000000',
      ...database.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'ChatAPI listening') {
            clearTimeout(timer);
            resolve(entry.url as string);
          }
        } catch {
          // not a log line
        }
      }
    });
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  return { url, masterKey, dataDir, proc, logs, exited, database };
}

export interface Cluster {
  instances: ServerProcess[];
  database: TestDatabase;
  masterKey: string;
  /** Starts one more instance on the same database (and Redis). */
  add(env?: Record<string, string>): Promise<ServerProcess>;
  stop(): Promise<void>;
}

/** `count` ChatAPI processes started together on one database (and one Redis namespace). */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<Cluster> {
  const database = await createTestDatabase();
  const masterKey = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatapi-cluster-'));
  const shared = { dataDir, masterKey, database };
  const instances = await Promise.all(Array.from({ length: count }, () => spawnServer(env, shared)));
  return {
    instances,
    database,
    masterKey,
    async add(extra = {}) {
      const instance = await spawnServer({ ...env, ...extra }, shared);
      instances.push(instance);
      return instance;
    },
    async stop() {
      for (const p of instances) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
      await Promise.all(instances.map((p) => p.exited));
      await database.drop();
    },
  };
}
