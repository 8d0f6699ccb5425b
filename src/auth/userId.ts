import { z } from 'zod';

/** Half of a surrogate pair without its other half: not text (PostgreSQL refuses it, SQLite mangles it). */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text every provider stores as given: no NUL character, no lone surrogate. */
export const isStorableText = (s: string) => !s.includes('\u0000') && !loneSurrogate.test(s);
export const storableText = 'must be valid text (no NUL character or unpaired surrogate)';

/** C0 controls, DEL and C1 controls. */
export const controlChars = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A user id, the same on every transport: Unicode text normalised to NFC (so "josé" typed either
 * way is one user), 1 to 128 characters, no control character (C0, DEL or C1).
 */
export const userIdSchema = z
  .string({ error: 'must be a string' })
  .overwrite((s) => s.normalize('NFC'))
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .refine((s) => !controlChars.test(s), 'must not contain control characters')
  .refine(isStorableText, storableText);
