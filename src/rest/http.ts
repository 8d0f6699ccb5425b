import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, errorBody, invalid, publicError, tooLarge } from '../errors.js';
import type { Logger } from '../logger.js';

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `{"success": false, "error": {...}}` with the registry's status; unexpected errors are logged and masked. */
export function sendError(res: ServerResponse, err: unknown, logger: Logger, extraHeaders: Record<string, string> = {}): void {
  if (!(err instanceof AppError)) logger.error({ err }, 'Unexpected error in REST request');
  const error = publicError(err);
  const headers: Record<string, string> = { ...extraHeaders };
  if (error.retryAfter !== undefined) headers['Retry-After'] = String(error.retryAfter);
  // The body may not have been read: closing the connection keeps the next request's bytes clean.
  if (error.code === 'PAYLOAD_TOO_LARGE') headers.connection = 'close';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, errorBody(error), headers);
}

/** Refuses a body larger than `limit` before reading it, when the client announced its length. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(`Request body must be at most ${limit} bytes`);
}

/** Reads the body (at most `limit` bytes) as text. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  checkDeclaredLength(req, limit);
  return new Promise<string>((resolve, reject) => {
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
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** Reads the body (at most `limit` bytes) and parses it as JSON; undefined when empty. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = await readBody(req, limit);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('Request body is not valid JSON');
  }
}

/** Reads the body and parses it as a JSON object (`{}` when empty and optional). */
export async function readJsonObject(req: IncomingMessage, limit: number, optional = false): Promise<Record<string, unknown>> {
  const body = await readJson(req, limit);
  if (body === undefined && optional) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** An optional integer query parameter: absent or empty is undefined, anything else must be digits. */
export function intParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?\d{1,15}$/.test(value)) throw invalid(`${name} must be an integer`, name);
  return Number(value);
}
