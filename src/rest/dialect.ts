import { AppError } from '../errors.js';

/** `clientMessageId` -> `client_message_id`; names that are not camelCase (`X-User-Id`, `seq`) stay as they are. */
export const snakeCase = (name: string) =>
  /^[a-z][a-zA-Z0-9]*$/.test(name) ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : name;

const camelWord = /\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b/g;
/** A JSON-quoted value in a message (what the client sent): never renamed. */
const quoted = /("(?:[^"\\]|\\.)*")/;

/**
 * Services name input fields in camelCase, the GraphQL dialect; REST clients (and /ws frames) send
 * snake_case. An error naming a field is renamed into their dialect on its way out: `details.field`,
 * and the field names its message mentions (`targets.userIds[0] must ...`), but not the quoted
 * values it repeats. So both surfaces name a field as their caller wrote it.
 */
export function inRestDialect(err: unknown): unknown {
  if (!(err instanceof AppError) || typeof err.details.field !== 'string') return err;
  const field = snakeCase(err.details.field);
  const message = err.message
    .split(quoted)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(camelWord, snakeCase)))
    .join('');
  if (field === err.details.field && message === err.message) return err;
  return new AppError(err.code, message, { ...err.details, field }, err.retryAfter);
}
