import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const launcher = path.join(root, 'bin/chatapi');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the documented launcher to its end; kills it (and fails the run) after `timeoutMs`. */
function runLauncher(args: string[], env: Record<string, string>, timeoutMs: number): Promise<Run> {
  const startedAt = Date.now();
  const child = spawn(launcher, args, {
    cwd: root,
    env: { ...process.env, LISTEN_ADDR: '127.0.0.1:0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - startedAt });
    }),
  );
}

describe('bin/chatapi', () => {
  let help: Run;
  beforeAll(async () => {
    // The first run may build dist/ (the launcher does that by itself on a fresh checkout).
    help = await runLauncher(['--help'], {}, 240_000);
  }, 250_000);

  it('--help prints usage and every setting with its default instead of starting a server', () => {
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: chatapi/);
    expect(help.stdout).not.toContain('ChatAPI listening');
    expect(help.stdout).toMatch(/^ {2}LISTEN_ADDR +:8080 +Address to listen on/m);
    expect(help.stdout).toMatch(/^ {2}DEFAULT_RATE_LIMIT +100 +/m);
    expect(help.stdout).toMatch(/^ {2}WS_PING_INTERVAL +30s +/m);
    expect(help.stdout).toMatch(/^ {2}NOTIFICATION_TTL +168h +/m);
    expect(help.stdout).toMatch(/^ {2}REDIS_URL +- +/m);
  });

  it('-h does the same, quickly', async () => {
    const run = await runLauncher(['-h'], {}, 15_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(help.stdout);
  });

  it('an unknown argument is refused with the usage', async () => {
    const run = await runLauncher(['--port=1'], {}, 15_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown argument --port=1');
    expect(run.stderr).toContain('Usage: chatapi');
  });

  it('DATA_DIR that cannot be created exits at once with a message naming DATA_DIR', async () => {
    // Before: Node's recursive mkdir looped forever under /proc, at 100% CPU and deaf to SIGTERM.
    const run = await runLauncher([], { DATA_DIR: '/proc/nope' }, 10_000);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DATA_DIR: cannot create the directory \/proc\/nope/);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('the start-up line says which addresses it is bound to', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'chatapi-cli-'));
    const child = spawn(launcher, [], {
      cwd: root,
      env: { ...process.env, LISTEN_ADDR: ':0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
        let buffered = '';
        const timer = setTimeout(() => reject(new Error('no start-up line')), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          buffered += d.toString();
          for (const text of buffered.split('\n')) {
            if (!text.includes('ChatAPI listening')) continue;
            clearTimeout(timer);
            resolve(JSON.parse(text) as Record<string, unknown>);
          }
        });
      });
      const port = new URL(line.url as string).port;
      expect(line.listening).toMatch(
        new RegExp(`^0\\.0\\.0\\.0:${port}( and \\[::\\]:${port})? \\(all (IPv4 )?interfaces\\)$`),
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
