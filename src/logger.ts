import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/**
 * Structured JSON logs on stdout, one object per line, with the level as a word
 * (`{"level":"info","msg":"Tenant validated","tenant_id":"tenant_abc123"}`).
 * Secrets never reach a log line: keys are redacted wherever they might be passed by mistake.
 */
export function createLogger(level: Config['logLevel'], destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'api_key',
          'apiKey',
          'master_key',
          'masterKey',
          '*.api_key',
          '*.apiKey',
          'headers["x-api-key"]',
          'headers["x-master-key"]',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
