import type { IncomingMessage } from 'node:http';
import { invalid, tooLarge } from '../errors.js';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Far more than any real request; far
 * less than what would make recursive code (GraphQL variable coercion, JSON.stringify) overflow
 * the stack.
 */
export const MAX_JSON_DEPTH = 64;

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

/** Nesting depth of a JSON text (brackets outside strings), stopping early past `max`. */
export function jsonDepth(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** Parses a JSON text; bad JSON, or JSON nested deeper than MAX_JSON_DEPTH, is a VALIDATION_ERROR. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw invalid(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
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
export async function readJsonObject(req: IncomingMessage, limit: number, optional = false): Promise<Record<string, unknown>> {
  const body = await readJson(req, limit);
  if (body === undefined && optional) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('Request body must be a JSON object');
  return body as Record<string, unknown>;
}
