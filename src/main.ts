import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

let config;
try {
  config = loadConfig();
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
