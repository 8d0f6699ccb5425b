import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildApp } from './app.js';
import { ConfigError, configurationHelp, loadConfig } from './config.js';

const usage = `Usage: chatapi [--help]

Starts ChatAPI. Every setting comes from the environment; durations take 500ms, 30s, 5m or 1h.

Configuration:
${configurationHelp()}
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage);
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`chatapi: unknown argument ${args[0]}\n\n${usage}`);
  process.exit(2);
}

/**
 * Creates `dir` and its missing parents one level at a time. Node 20's `mkdirSync(dir,
 * { recursive: true })` loops forever, blocking signals too, where mkdir answers ENOENT for a
 * parent that exists (anything under /proc).
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw err;
    makeDirectory(path.dirname(dir));
    mkdirSync(dir);
  }
}

let config;
try {
  config = loadConfig();
  if (config.database.provider === 'sqlite') {
    const dir = path.dirname(config.database.file);
    const setting = dir === config.dataDir ? 'DATA_DIR' : process.env.DATABASE_URL ? 'DATABASE_URL' : 'DATABASE_DSN';
    try {
      makeDirectory(dir);
    } catch (err) {
      throw new ConfigError([`${setting}: cannot create the directory ${dir} (${(err as Error).message})`]);
    }
  }
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`chatapi: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const app = buildApp(config);
/** Exits once the log lines written so far reached stdout (the logger writes asynchronously). */
const exit = (code: number) => app.logger.flush(() => process.exit(code));
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  app.logger.info({ signal }, 'Shutting down');
  app.stop().then(
    () => exit(0),
    (err: unknown) => {
      app.logger.error({ err }, 'Shutdown failed');
      exit(1);
    },
  );
};
// A promise nobody handled is a bug to log, not a reason to drop every connection of the instance.
process.on('unhandledRejection', (err) => app.logger.error({ err }, 'Unhandled promise rejection'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

app.start().catch((err: unknown) => {
  app.logger.fatal({ err }, 'Start-up failed');
  exit(1);
});
