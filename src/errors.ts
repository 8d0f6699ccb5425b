/**
 * The one error-code registry. REST answers `{"success": false, "error": {code, message, ...}}`
 * with the status below; GraphQL puts the same code in `extensions.code`.
 */
export const errorCodes = {
  VALIDATION_ERROR: { status: 400, message: 'Invalid request' },
  AUTHENTICATION_ERROR: { status: 401, message: 'Unauthorized' },
  AUTHORIZATION_ERROR: { status: 403, message: 'Forbidden' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Payload too large' },
  RATE_LIMIT_EXCEEDED: { status: 429, message: 'Rate limit exceeded' },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** Extra, client-safe facts about an error (`field`, `room_id`, `retry_after`...). */
export type ErrorDetails = { field?: string } & Record<string, unknown>;

/** An expected failure: its code and message are meant for the client. */
export class AppError extends Error {
  /** Seconds until a retry can succeed (RATE_LIMIT_EXCEEDED): becomes the Retry-After header. */
  retryAfter?: number;

  constructor(
    readonly code: ErrorCode,
    message: string = errorCodes[code].message,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}

export const invalid = (message: string, field?: string) =>
  new AppError('VALIDATION_ERROR', message, field ? { field } : {});
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const unauthenticated = (message: string) => new AppError('AUTHENTICATION_ERROR', message);
export const forbidden = (message: string) => new AppError('AUTHORIZATION_ERROR', message);
export const conflict = (message: string, details?: ErrorDetails) => new AppError('CONFLICT', message, details);
export const tooLarge = (message: string, field?: string) =>
  new AppError('PAYLOAD_TOO_LARGE', message, field ? { field } : {});
export const unavailable = (message: string) => new AppError('SERVICE_UNAVAILABLE', message);

/** Driver-adapter error kinds and Prisma codes that mean "the database is not there right now". */
const unreachableKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed']);
const unreachableCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'SQLITE_BUSY', 'SQLITE_FULL']);
const unreachableMessage = /Connection terminated|connection timeout|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|database is locked|database or disk is full|No space left on device/i;

/** True when `err` says the database cannot be reached (as opposed to a bug or bad input). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (unreachableKinds.has(e.meta?.driverAdapterError?.cause?.kind ?? '')) return true;
  if (unreachableCodes.has(e.code ?? '')) return true;
  return unreachableMessage.test(e.message ?? '');
}

/**
 * The error as clients see it: an AppError as is; the database being away as SERVICE_UNAVAILABLE
 * (503, retry later); anything else masked as INTERNAL_ERROR.
 */
export function publicError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) return new AppError('SERVICE_UNAVAILABLE', 'Database unavailable; try again shortly');
  return new AppError('INTERNAL_ERROR');
}

export function errorBody(err: AppError) {
  return { success: false as const, error: { code: err.code, message: err.message, ...err.details } };
}
