import type { ServerResponse } from 'node:http';
import { AppError, errorBody, publicError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** `{"success": false, "error": {...}}` with the registry's status; unexpected errors are logged and masked. */
export function sendError(
  res: ServerResponse,
  err: unknown,
  logger: Logger,
  extraHeaders: Record<string, string> = {},
): void {
  if (!(err instanceof AppError)) logger.error({ err }, 'Unexpected error in REST request');
  const error = publicError(err);
  const headers: Record<string, string> = { ...extraHeaders, ...error.headers };
  // The body may not have been read: closing the connection keeps the next request's bytes clean.
  if (error.code === 'PAYLOAD_TOO_LARGE') headers.connection = 'close';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, errorBody(error), headers);
}
