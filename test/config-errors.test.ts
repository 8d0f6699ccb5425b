import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env, '/tmp');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('configuration was accepted');
};

describe('configuration errors', () => {
  it('a bad value does not hide the cross-setting checks: every problem in one run', () => {
    const problems = problemsOf({
      DEFAULT_RATE_LIMIT: 'lots',
      WS_PING_INTERVAL: '2m',
      WS_IDLE_TIMEOUT: '1m',
      DATABASE_URL: 'mysql://db/chat',
    });
    expect(problems).toEqual([
      'DEFAULT_RATE_LIMIT: must be a whole number from 1 to 1000000',
      'DATABASE_URL: must start with file:, postgres:// or postgresql://',
      expect.stringMatching(/^WS_IDLE_TIMEOUT: must be longer than WS_PING_INTERVAL/),
    ]);
  });

  it.each(['-1', '0', '1000001', '2.5'])('DEFAULT_RATE_LIMIT=%s says what is allowed', (value) => {
    expect(problemsOf({ DEFAULT_RATE_LIMIT: value })).toEqual([
      'DEFAULT_RATE_LIMIT: must be a whole number from 1 to 1000000',
    ]);
  });

  it('the real process reports them all and exits 2', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DEFAULT_RATE_LIMIT: '-1',
        LOG_LEVEL: 'loud',
        WS_PING_INTERVAL: '2m',
        WS_IDLE_TIMEOUT: '1m',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('LOG_LEVEL:');
    expect(stderr).toContain('DEFAULT_RATE_LIMIT: must be a whole number from 1 to 1000000');
    expect(stderr).toContain('WS_IDLE_TIMEOUT: must be longer than WS_PING_INTERVAL');
  });
});
