import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({}, '/srv/chat');
    expect(config.listen).toEqual({ host: undefined, port: 8080 });
    expect(config.dataDir).toBe('/srv/chat/data');
    expect(config.database).toMatchObject({
      provider: 'sqlite',
      file: '/srv/chat/data/chatapi.db',
      synchronous: 'NORMAL',
    });
    expect(config.masterApiKey).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.defaultRateLimit).toBe(100);
    expect(config.maxMessageBytes).toBe(16384);
  });

  it('reads every setting', () => {
    const config = loadConfig(
      {
        LISTEN_ADDR: '127.0.0.1:9000',
        MASTER_API_KEY: 'k'.repeat(32),
        LOG_LEVEL: 'DEBUG',
        DEFAULT_RATE_LIMIT: '1000',
        MAX_MESSAGE_BYTES: '100',
      },
      '/x',
    );
    expect(config).toMatchObject({
      listen: { host: '127.0.0.1', port: 9000 },
      logLevel: 'debug',
      defaultRateLimit: 1000,
      maxMessageBytes: 100,
    });
    expect(loadConfig({ LISTEN_ADDR: '[::1]:0' }).listen).toEqual({ host: '::1', port: 0 });
    expect(loadConfig({ LISTEN_ADDR: '9090' }).listen).toEqual({ host: undefined, port: 9090 });
  });

  it('accepts DATABASE_URL and the original DATABASE_DSN', () => {
    expect(loadConfig({ DATABASE_URL: 'file:./x.db' }, '/a').database).toMatchObject({
      provider: 'sqlite',
      file: '/a/x.db',
    });
    expect(loadConfig({ DATABASE_DSN: 'file:chat.db?_journal_mode=WAL' }, '/a').database).toMatchObject({
      file: '/a/chat.db',
    });
    expect(loadConfig({ DATABASE_DSN: '/var/lib/chat.db' }).database).toMatchObject({ file: '/var/lib/chat.db' });
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).database).toEqual({
      provider: 'postgresql',
      url: 'postgresql://u@h/db',
    });
  });

  it('reports every invalid setting at once, naming each', () => {
    let error: unknown;
    try {
      loadConfig({
        LISTEN_ADDR: 'localhost',
        DEFAULT_RATE_LIMIT: 'fast',
        MAX_MESSAGE_BYTES: '0',
        LOG_LEVEL: 'loud',
        MASTER_API_KEY: 'short',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ['DEFAULT_RATE_LIMIT', 'MAX_MESSAGE_BYTES', 'LOG_LEVEL', 'MASTER_API_KEY'])
      expect(text).toContain(name);
    expect(() => loadConfig({ LISTEN_ADDR: 'localhost' })).toThrow(/LISTEN_ADDR/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ WS_PING_INTERVAL: '30s', WS_IDLE_TIMEOUT: '30s' })).toThrow(/WS_IDLE_TIMEOUT/);
  });

  it('stops start-up with a message naming the bad setting', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, DEFAULT_RATE_LIMIT: 'lots', LISTEN_ADDR: '127.0.0.1:0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('DEFAULT_RATE_LIMIT');
  });
});
