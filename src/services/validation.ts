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
export { isStorableText, storableText, userIdSchema } from '../auth/userId.js';

export const seqSchema = z
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(0, 'must not be negative')
  .max(2_147_483_647, 'is too large');

export const roomIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters');

/** Bytes `text` takes in UTF-8, without allocating a buffer. */
export const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');
