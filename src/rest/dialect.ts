import { AppError } from '../errors.js';

/** `clientMessageId` -> `client_message_id`; names that are not camelCase (`X-User-Id`, `seq`) stay as they are. */
export const snakeCase = (name: string) => (/^[a-z][a-zA-Z0-9]*$/.test(name) ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : name);

/**
 * Services name input fields in camelCase, the GraphQL dialect; REST clients sent snake_case. An
 * error naming a field (`details.field`, and the message that starts with it) is renamed into the
 * REST client's dialect on its way out, so both surfaces name the field as their caller wrote it.
 */
export function inRestDialect(err: unknown): unknown {
  if (!(err instanceof AppError) || typeof err.details.field !== 'string') return err;
  const field = err.details.field;
  const restField = snakeCase(field);
  if (restField === field) return err;
  const message = err.message.startsWith(field) && /^[\s[.]/.test(err.message.slice(field.length)) ? restField + err.message.slice(field.length) : err.message;
  const renamed = new AppError(err.code, message, { ...err.details, field: restField });
  if (err.retryAfter !== undefined) renamed.retryAfter = err.retryAfter;
  return renamed;
}
