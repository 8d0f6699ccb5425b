import type { IncomingMessage } from 'node:http';
import { MAX_JSON_DEPTH } from '../services/validation.js';
import { invalid, tooLarge } from '../errors.js';

/**
 * Deepest nesting of arrays and objects a JSON body may have: a stored value's limit
 * (MAX_JSON_DEPTH) plus the two levels a request wraps it in (GraphQL: body -> variables -> meta).
 * Far less than what would make recursive code (variable coercion, JSON.stringify) overflow the stack.
 */
const MAX_BODY_DEPTH = MAX_JSON_DEPTH + 2;

/** Refuses a body larger than `limit` before reading it, when the client announced its length. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(`Request body must be at most ${limit} bytes`);
}

/**
 * Reads the body, at most `limit` bytes whatever its content type or framing (a chunked body has
 * no declared length: it is counted as it arrives and refused on the first byte over).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  checkDeclaredLength(req, limit);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(`Request body must be at most ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * Where a JSON text nests deeper than `max` (brackets outside strings): the top-level key whose
 * value does (`''` when the text is not an object), or undefined when it does not. Scans the text
 * without parsing it, so no input can overflow the stack.
 */
export function tooDeepField(text: string, max = MAX_BODY_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  let keyStart = -1;
  let key = '';
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) {
        inString = false;
        if (keyStart >= 0) key = text.slice(keyStart, i);
        keyStart = -1;
      }
    } else if (c === 0x22) {
      inString = true;
      if (depth === 1 && expectKey) keyStart = i + 1;
      expectKey = false;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return text.trimStart().startsWith('{') ? key : '';
      expectKey = depth === 1 && c === 0x7b;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1) expectKey = true;
  }
  return undefined;
}

/** Parses a JSON text; bad JSON, or JSON nested deeper than MAX_BODY_DEPTH, is a VALIDATION_ERROR. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  const deep = tooDeepField(text);
  if (deep !== undefined) {
    throw deep
      ? invalid(`${deep} must be nested at most ${MAX_JSON_DEPTH} levels deep`, deep)
      : invalid(`Request body must be nested at most ${MAX_BODY_DEPTH} levels deep`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('Request body is not valid JSON');
  }
}

/** Reads the body (at most `limit` bytes) and parses it as JSON; undefined when empty. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJson((await readBody(req, limit)).toString('utf8'));
}

/** Reads the body and parses it as a JSON object (`{}` when empty and optional). */
export async function readJsonObject(
  req: IncomingMessage,
  limit: number,
  optional = false,
): Promise<Record<string, unknown>> {
  const body = await readJson(req, limit);
  if (body === undefined && optional) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw invalid('Request body must be a JSON object');
  return body as Record<string, unknown>;
}
