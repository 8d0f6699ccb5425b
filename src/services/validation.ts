import { z } from 'zod';
import { invalid } from '../errors.js';

/** Parses `value` with `schema`, turning the first problem into a VALIDATION_ERROR naming `field`. */
export function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = [field, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('');
  throw invalid(`${where.replace(/\.\[/g, '[')} ${issue.message}`, field);
}

// The user-id rule lives with authentication, which applies it to every transport.
import { controlChars, isStorableText, storableText } from '../auth/userId.js';

export { isStorableText, storableText, userIdSchema } from '../auth/userId.js';

export const seqSchema = z
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(0, 'must not be negative')
  .max(2_147_483_647, 'is too large');

export const roomIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .refine((s) => !controlChars.test(s), 'must not contain control characters')
  .refine(isStorableText, storableText);

/** Any other id a client names (message, notification): same rule as room ids. */
export const idSchema = roomIdSchema;

/**
 * Deepest nesting of objects and arrays accepted in stored JSON (`meta`, notification payloads).
 * SQLite's JSON functions refuse documents deeper than 1,000, so a deeper one could be stored but not read.
 */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a JSON value (a scalar is 0), walked without recursion so no input can overflow the stack. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** Refuses JSON nested deeper than MAX_JSON_DEPTH with a VALIDATION_ERROR naming `field`. */
export function checkJsonDepth(value: unknown, field: string): void {
  if (jsonDepth(value) > MAX_JSON_DEPTH)
    throw invalid(`${field} must be nested at most ${MAX_JSON_DEPTH} levels deep`, field);
}

/** Bytes `text` takes in UTF-8, without allocating a buffer. */
export const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');
